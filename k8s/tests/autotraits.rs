//! The public types can be shared between threads and kept in errors.

use imgrepl_k8s::admission;

fn owned<T: Send + Sync + 'static>() {}
fn error<T: std::error::Error + Clone + PartialEq + Send + Sync + 'static + serde::Serialize>() {}

#[test]
fn public_types_are_send_and_sync() {
    owned::<imgrepl_k8s::Report>();
    owned::<imgrepl_k8s::ContainerReport>();
    owned::<imgrepl_k8s::Patch>();
    owned::<imgrepl_k8s::PolicyCache>();
    owned::<admission::Response>();
}

#[test]
fn errors_are_plain_values() {
    error::<imgrepl_k8s::WorkloadError>();
    error::<imgrepl_k8s::ContainerError>();
    error::<imgrepl_k8s::PatchError>();
    error::<admission::AdmissionError>();
}
