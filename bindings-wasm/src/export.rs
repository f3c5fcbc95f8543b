//! `exportPolicy(policy, to, options)`: the policy with no webhook (the `imgrepl-export`
//! crate): a `MutatingAdmissionPolicy`, the CEL of one image, `registries.conf` or containerd
//! `hosts.toml` files, with the rules a node format cannot express exactly. Only in the
//! `toolkit` build (the Node package and the web's second module).

use imgrepl_export::map::{ApiVersion, Options};
use imgrepl_export::node::Inexact;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::Policy;
use crate::js::{self, invalid_argument};

/// One file of an export.
#[derive(Serialize)]
struct ExportFileJs<'a> {
    path: &'a str,
    text: &'a str,
}

/// `exportPolicy`'s result.
#[derive(Serialize)]
struct ExportJs<'a> {
    files: Vec<ExportFileJs<'a>>,
    inexact: &'a [Inexact],
    exact: bool,
}

/// Exports `policy` (in its match mode) to `to`: `"mutating-admission-policy"` (the policy and
/// its binding, one YAML file; `options.apiVersion` `"v1beta1"` or `"v1"`, `options.name`),
/// `"cel"` (the expression over a variable `image`), `"registries-conf"` or
/// `"containerd-hosts"` (a `<host>/hosts.toml` per registry). `inexact` lists every rule a node
/// format cannot express exactly, with an image whose result would differ.
///
/// # Errors
///
/// An `Error` with code `invalid-argument` for an unknown `to`, `apiVersion` or a `name` that is
/// not a string.
#[wasm_bindgen(js_name = exportPolicy, unchecked_return_type = "PolicyExport")]
pub fn export_policy(
    policy: &Policy,
    #[wasm_bindgen(unchecked_param_type = "ExportFormat")] to: &str,
    #[wasm_bindgen(unchecked_param_type = "ExportOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let p = &policy.inner;
    let export = match to {
        "mutating-admission-policy" => {
            let api_version = match crate::option_str(options.as_ref(), "apiVersion")?.as_deref() {
                None | Some("v1beta1") => ApiVersion::V1beta1,
                Some("v1") => ApiVersion::V1,
                Some(other) => {
                    return Err(invalid_argument(&format!(
                        "options.apiVersion must be \"v1beta1\" or \"v1\", not {other:?}"
                    )));
                }
            };
            let name = crate::option_str(options.as_ref(), "name")?
                .unwrap_or_else(|| Options::default().name);
            let text =
                imgrepl_export::map::mutating_admission_policy(p, &Options { name, api_version });
            imgrepl_export::node::Export {
                files: vec![("mutating-admission-policy.yaml".to_owned(), text)],
                inexact: Vec::new(),
            }
        }
        "cel" => imgrepl_export::node::Export {
            files: vec![(
                "image.cel".to_owned(),
                imgrepl_export::cel::expression(p, "image"),
            )],
            inexact: Vec::new(),
        },
        "registries-conf" => imgrepl_export::node::registries_conf(p),
        "containerd-hosts" => imgrepl_export::node::containerd_hosts(p),
        other => {
            return Err(invalid_argument(&format!(
                "unknown export format {other:?}: expected \"mutating-admission-policy\", \"cel\", \"registries-conf\" or \"containerd-hosts\""
            )));
        }
    };
    js::to_js_via_json(&ExportJs {
        files: export
            .files
            .iter()
            .map(|(path, text)| ExportFileJs { path, text })
            .collect(),
        inexact: &export.inexact,
        exact: export.exact(),
    })
}
