//! Code generated from `proto/enricher/v1`: messages, the gRPC client and server, and the
//! proto3 JSON mapping.
#![allow(missing_docs, unreachable_pub, clippy::all)]

tonic::include_proto!("enricher.v1");
include!(concat!(env!("OUT_DIR"), "/enricher.v1.serde.rs"));

/// The encoded descriptor set of the API, served by reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/enricher_descriptor.bin"));
