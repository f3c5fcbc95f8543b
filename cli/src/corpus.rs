//! The images a command runs a policy over (`coverage`, `diff`): the container images of
//! manifests (`-f`, read by `imgrepl-manifest`, each image with its workload as
//! `Kind/name`), image arguments, or one image per line of stdin when there are neither.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use imgrepl::Policy;
use imgrepl_k8s::{Options, PodSpecTable};
use imgrepl_manifest::MAX_INPUT_BYTES;

use crate::exit::Failure;
use crate::input::each_input;

/// Where the images come from.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// Manifests (YAML or JSON; `-` for stdin) whose container images make the corpus, each
    /// with its workload as an example. Repeatable.
    #[arg(long = "filename", short = 'f', value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Images; read one per line from stdin when neither IMAGE nor -f is given.
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
    /// Reads the images. Manifests are read with `policy` standing in for every annotation, so
    /// that every pod spec's containers are found whatever the objects carry.
    ///
    /// # Errors
    ///
    /// A failure to read a file or stdin, or a manifest file that cannot be read at all.
    pub fn load(&self, policy: &Policy) -> Result<Corpus, Failure> {
        let mut corpus = Corpus::default();
        let table = PodSpecTable::new();
        let options = Options::new()
            .policy(policy)
            .pod_specs(&table)
            .check_pulls(false);
        for file in &self.files {
            read_manifests(file, &options, &mut corpus)?;
        }
        if self.files.is_empty() || !self.images.is_empty() {
            each_input(&self.images, |input| {
                let image = input.text.trim();
                if !image.is_empty() {
                    corpus.items.push((image.to_owned(), None));
                }
                Ok(())
            })?;
        }
        Ok(corpus)
    }
}

fn read_manifests(file: &Path, options: &Options<'_>, corpus: &mut Corpus) -> Result<(), Failure> {
    let input = crate::input::read_bytes(file, MAX_INPUT_BYTES)?;
    let edited = imgrepl_manifest::edit(&input, options)
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
