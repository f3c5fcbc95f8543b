//! The images a command runs a policy over (`coverage`, `diff`): the container images of
//! manifests (`-f`, read by `imgrepl-manifest`, each image with its workload as
//! `Kind/name`), image arguments, or one image per line of stdin when there are neither.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use imgrepl::Policy;
use imgrepl_k8s::{Options, PodSpecTable};
use imgrepl_manifest::MAX_INPUT_BYTES;

use crate::exit::Failure;
use crate::input::{Origin, each_input};

/// Where the images come from.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// Manifests (YAML or JSON; `-` for stdin) whose container images make the corpus, each
    /// with its workload as an example. Repeatable.
    #[arg(long = "filename", short = 'f', value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Images; read one per line from stdin when neither IMAGE nor -f is given, or IMAGE is `-`.
    #[arg(value_name = "IMAGE")]
    pub images: Vec<OsString>,
}

/// The images, each with the workload it was found in.
#[derive(Debug, Default)]
pub struct Corpus {
    items: Vec<(String, Option<String>)>,
}

impl Corpus {
    /// Every image and its workload, for the library's corpus functions.
    pub fn items(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.items.iter().map(|(i, w)| (i.as_str(), w.as_deref()))
    }
}

impl CorpusArgs {
    /// Whether the images are read from standard input (`-f -`, a lone IMAGE `-`, or no IMAGE
    /// and no `-f`).
    pub fn reads_stdin(&self) -> bool {
        self.files.iter().any(|f| f.as_os_str() == "-")
            || self.images == ["-"]
            || (self.files.is_empty() && self.images.is_empty())
    }

    /// What standard input holds, for the message that refuses to read it twice.
    pub fn stdin_name(&self) -> &'static str {
        if self.files.is_empty() {
            "the images"
        } else {
            "the manifests (-f -)"
        }
    }

    /// Reads the images. Manifests are read with `policy` standing in for every annotation, so
    /// that every pod spec's containers are found whatever the objects carry.
    ///
    /// # Errors
    ///
    /// A failure to read a file or stdin, or a manifest file that cannot be read at all.
    pub fn load(&self, policy: &Policy) -> Result<Corpus, Failure> {
        let files = self.read_files()?;
        self.load_read(policy, &files)
    }

    /// The bytes of every `-f` file, read once (standard input cannot be read twice).
    ///
    /// # Errors
    ///
    /// A failure to read a file or stdin.
    pub fn read_files(&self) -> Result<Vec<(PathBuf, Vec<u8>)>, Failure> {
        if self.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
            return Err(Failure::usage(
                "two manifests (-f - twice) cannot both be read from standard input: give one of them as a file",
            ));
        }
        self.files
            .iter()
            .map(|f| Ok((f.clone(), crate::input::read_bytes(f, MAX_INPUT_BYTES)?)))
            .collect()
    }

    /// The policy the manifests carry in their annotation (`key`), when they all carry the same
    /// one: for `coverage` without `--policy`, as `apply` reads it.
    ///
    /// # Errors
    ///
    /// A usage failure when no workload carries one, when they carry different ones, or when it
    /// is invalid.
    pub fn annotation_policy(
        files: &[(PathBuf, Vec<u8>)],
        key: &str,
    ) -> Result<(Policy, String), Failure> {
        let table = PodSpecTable::new();
        let options = Options::new()
            .annotation_key(key)
            .pod_specs(&table)
            .check_pulls(false);
        let mut texts: Vec<String> = Vec::new();
        for (file, input) in files {
            let edited = imgrepl_manifest::edit(input, &options)
                .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
            for document in &edited.documents {
                for object in &document.objects {
                    let Ok(report) = &object.outcome else {
                        continue;
                    };
                    for spec in &report.pod_specs {
                        if let Some(text) = spec.policy.as_ref().and_then(|p| p.annotation.clone())
                            && !texts.contains(&text)
                        {
                            texts.push(text);
                        }
                    }
                }
            }
        }
        match texts.as_slice() {
            [] => Err(Failure::usage(format!(
                "give --policy, or manifests (-f) whose workloads carry the policy annotation {key:?}: none does"
            ))),
            [text] => {
                let policy = Policy::from_json(text).map_err(|e| {
                    Failure::usage(format!("the manifests' policy annotation {key:?}: {e}"))
                })?;
                Ok((policy, format!("the manifests' policy ({key})")))
            }
            more => Err(Failure::usage(format!(
                "the manifests carry {} different policies in the annotation {key:?}: give the one to measure with --policy",
                more.len()
            ))),
        }
    }

    /// [`CorpusArgs::load`] with the files already read.
    ///
    /// # Errors
    ///
    /// As [`CorpusArgs::load`].
    pub fn load_read(
        &self,
        policy: &Policy,
        files: &[(PathBuf, Vec<u8>)],
    ) -> Result<Corpus, Failure> {
        let mut corpus = Corpus::default();
        let table = PodSpecTable::new();
        let options = Options::new()
            .policy(policy)
            .pod_specs(&table)
            .check_pulls(false);
        for (file, input) in files {
            read_manifests(file, input, &options, &mut corpus)?;
        }
        // A lone `-` is standard input, as for -f.
        let images: &[OsString] = if self.images == ["-"] {
            &[]
        } else {
            &self.images
        };
        if self.files.is_empty() || !self.images.is_empty() {
            // An empty argument is an empty reference (invalid), as for `parse` and `rewrite`;
            // blank lines of standard input are skipped before they get here.
            each_input(images, |input| {
                let image = input.text.trim();
                if !image.is_empty() || matches!(input.origin, Origin::Arg(_)) {
                    corpus.items.push((image.to_owned(), None));
                }
                Ok(())
            })?;
        }
        Ok(corpus)
    }
}

fn read_manifests(
    file: &Path,
    input: &[u8],
    options: &Options<'_>,
    corpus: &mut Corpus,
) -> Result<(), Failure> {
    let edited = imgrepl_manifest::edit(input, options)
        .map_err(|e| Failure::usage(format!("{}: {e}", file.display())))?;
    for document in &edited.documents {
        for object in &document.objects {
            let Ok(report) = &object.outcome else {
                continue;
            };
            let label = object.label();
            for row in &report.containers {
                if let Some(image) = &row.before {
                    corpus.items.push((image.clone(), Some(label.clone())));
                }
            }
        }
    }
    Ok(())
}
