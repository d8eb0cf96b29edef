//! Generates the gRPC code and proto3 JSON mapping from `proto/` with no system `protoc`:
//! `protox` compiles the files in pure Rust.

use std::{env, fs, path::PathBuf};

use prost::Message;

const PROTO: &str = "proto/enricher/v1/enricher.proto";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    let fds = protox::compile([PROTO], ["proto"])?;
    // Reflection and pbjson read the descriptor set from a file; `compile_fds` does not write it.
    let descriptor_path = out_dir.join("enricher_descriptor.bin");
    fs::write(&descriptor_path, fds.encode_to_vec())?;

    tonic_prost_build::configure()
        .compile_well_known_types(true)
        .extern_path(".google.protobuf", "::pbjson_types")
        .compile_fds(fds)?;

    pbjson_build::Builder::new().register_descriptors(&fs::read(&descriptor_path)?)?.build(&[".enricher"])?;
    Ok(())
}
