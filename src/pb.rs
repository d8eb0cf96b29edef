//! Code generated from `proto/enricher/v1`: messages, the gRPC client and server, and the
//! proto3 JSON mapping.
#![allow(missing_docs, unreachable_pub, clippy::all)]

tonic::include_proto!("enricher.v1");
include!(concat!(env!("OUT_DIR"), "/enricher.v1.serde.rs"));

/// The encoded descriptor set of the API, served by reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/enricher_descriptor.bin"));

/// The name of a gRPC status code, as proto3 JSON writes `Error.code`: for the backfill's
/// errors file and the server's metric labels.
pub fn code_name(code: tonic::Code) -> &'static str {
    error::Code::try_from(code as i32).map_or("UNKNOWN", |c| c.as_str_name())
}

#[cfg(test)]
mod tests {
    use prost::Message;

    use super::*;

    #[test]
    fn descriptor_set_decodes_and_names_the_service() {
        let set = pbjson_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).expect("descriptor set decodes");
        let file = set.file.iter().find(|f| f.package() == "enricher.v1").expect("enricher.v1 is in the set");
        let service = &file.service[0];
        assert_eq!(service.name(), "Enricher");
        let methods: Vec<&str> = service.method.iter().map(|m| m.name()).collect();
        assert_eq!(methods, ["Enrich", "EnrichStream"]);
    }

    #[test]
    fn json_uses_camel_case_and_enum_names() {
        let response = EnrichResponse {
            article_id: "a1".into(),
            entities: vec![Entity {
                kind: EntityKind::GovernmentBody.into(),
                country_code: "UA".into(),
                ..Default::default()
            }],
            error: Some(Error { code: error::Code::InvalidArgument.into(), message: "bad".into() }),
            ..Default::default()
        };
        let json = serde_json::to_value(&response).expect("serialises");
        assert_eq!(json["articleId"], "a1");
        assert_eq!(json["entities"][0]["kind"], "GOVERNMENT_BODY");
        assert_eq!(json["entities"][0]["countryCode"], "UA");
        assert_eq!(json["error"]["code"], "INVALID_ARGUMENT");
        let back: EnrichResponse = serde_json::from_value(json).expect("parses back");
        assert_eq!(back, response);
    }
}
