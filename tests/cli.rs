//! The `enrich` subcommand on the bundled examples: one proto3 JSON response per line.

mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use incident_enricher::pb;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_incident-enricher"))
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/articles");
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("examples exist").map(|e| e.expect("entry").path()).collect();
    paths.sort();
    paths
}

fn parse_lines(stdout: &[u8]) -> Vec<(serde_json::Value, pb::EnrichResponse)> {
    String::from_utf8(stdout.to_vec())
        .expect("UTF-8 output")
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
            let response: pb::EnrichResponse = serde_json::from_str(line).expect("each line is an EnrichResponse");
            (value, response)
        })
        .collect()
}

#[test]
fn enrich_prints_valid_proto3_json_for_every_example() {
    let paths = examples();
    let out = binary().arg("enrich").arg("--clean-text").args(&paths).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let responses = parse_lines(&out.stdout);
    assert_eq!(responses.len(), paths.len());

    for ((json, r), path) in responses.iter().zip(&paths) {
        let text = std::fs::read_to_string(path).expect("readable");
        assert_eq!(r.article_id, path.file_name().unwrap().to_string_lossy());
        common::assert_spans_inside(&text, r);
        assert!(!r.cleanup.as_ref().expect("cleanup").clean_text.is_empty());
        // proto3 JSON: camelCase names and enum values by name.
        assert!(json.get("articleId").is_some() && json.get("article_id").is_none());
        let kind = &json["entities"][0]["kind"];
        assert!(kind.as_str().is_some_and(|k| k.chars().all(|c| c.is_ascii_uppercase() || c == '_')), "{kind}");
    }
    let english: Vec<&pb::EnrichResponse> =
        responses.iter().map(|(_, r)| r).filter(|r| r.cleanup.as_ref().unwrap().language == "en").collect();
    assert_eq!(english.len(), paths.len() - 1, "all but the German brief are English");
    assert!(english.iter().all(|r| !r.incidents.is_empty()), "every English example reports an incident");
}

#[test]
fn enrich_reads_jsonl_from_stdin_and_reports_bad_lines_without_stopping() {
    let mut child = binary()
        .args(["enrich", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    let input = format!(
        "{}\nnot json\n{}\n",
        serde_json::json!({"id": "j1", "text": common::ARTICLE, "publishedAt": "2024-01-14T10:00:00Z"}),
        serde_json::json!({"id": "j2", "text": ""}),
    );
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("written");
    let out = child.wait_with_output().expect("finishes");
    assert!(!out.status.success(), "bad records make the exit code non-zero");

    let responses: Vec<pb::EnrichResponse> = parse_lines(&out.stdout).into_iter().map(|(_, r)| r).collect();
    let ids: Vec<&str> = responses.iter().map(|r| r.article_id.as_str()).collect();
    assert_eq!(ids, ["j1", "-:2", "j2"]);
    assert!(responses[0].error.is_none() && !responses[0].incidents.is_empty());
    for bad in &responses[1..] {
        assert_eq!(bad.error.as_ref().expect("error").code(), pb::error::Code::InvalidArgument);
    }
}

#[test]
fn every_subcommand_documents_its_flags() {
    let service: [(&str, &[&str]); 2] = [
        (
            "serve",
            &[
                "--listen",
                "--max-article-bytes",
                "--max-concurrency",
                "--deadline",
                "--stream-window",
                "--drain-timeout",
                "--max-concurrent-streams",
                "--max-header-list-bytes",
                "--keepalive-interval",
                "--keepalive-timeout",
                "--max-connection-age",
            ],
        ),
        ("enrich", &["--clean-text", "--pretty", "--max-article-bytes"]),
    ];
    let bench: &[(&str, &[&str])] = if cfg!(feature = "tools") {
        &[(
            "bench load",
            &[
                "--endpoint",
                "--server-arg",
                "--articles",
                "--duration",
                "--concurrency",
                "--streams",
                "--rates",
                "--deadline",
                "--overload",
                "--overload-duration",
                "--late-slack",
            ],
        )]
    } else {
        &[]
    };
    for &(sub, flags) in service.iter().chain(bench) {
        let out = binary().args(sub.split(' ')).arg("--help").output().expect("runs");
        assert!(out.status.success());
        let help = String::from_utf8(out.stdout).expect("UTF-8");
        for flag in flags {
            let at = help.find(flag).unwrap_or_else(|| panic!("{sub} --help lacks {flag}: {help}"));
            let described = help[at..].lines().take(2).map(|l| l.split_whitespace().count()).sum::<usize>();
            assert!(described > 4, "{sub} {flag} has no description: {help}");
        }
    }
    let out = binary().arg("serve").env("ENRICHER_MAX_CONCURENCY", "4").output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ENRICHER_MAX_CONCURENCY"));
}

#[test]
fn gazetteer_files_add_names_and_a_bad_one_stops_start_up() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gazetteers");
    let dir = tempfile::tempdir().expect("temp dir");
    let article = dir.path().join("story.txt");
    std::fs::write(
        &article,
        "Investigators said the group known as Glass Kestrel deployed MarrowWipe against the port.",
    )
    .expect("written");

    let out = binary()
        .arg("enrich")
        .arg("--gazetteer")
        .arg(fixtures.join("stix_bundle.json"))
        .arg(&article)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, r) = parse_lines(&out.stdout).pop().expect("a response");
    let actor = r.entities.iter().find(|e| e.kind() == pb::EntityKind::ThreatActor).expect("actor tagged");
    assert_eq!((actor.name.as_str(), actor.external_id.as_str()), ("Quiet Heron", "G9901"));

    for sub in [
        vec!["enrich", article.to_str().unwrap()],
        vec!["serve", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"],
    ] {
        let out =
            binary().args(&sub).arg("--gazetteer").arg(fixtures.join("malformed_misp.json")).output().expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{sub:?} started with a malformed gazetteer");
        assert!(stderr.contains("malformed_misp.json") && stderr.contains("value 0"), "{stderr}");
    }
}

#[cfg(feature = "tools")]
#[test]
fn bench_load_starts_a_server_and_prints_its_tables() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/articles");
    let out = binary()
        .args(["bench", "load", "--duration", "300ms", "--rates", "20", "--streams", "2", "--window", "4"])
        .arg("--articles")
        .arg(&dir)
        .output()
        .expect("runs");
    let report = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(out.status.success(), "{report}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains("start-up to SERVING"), "{report}");
    let row = |name: &str| {
        let line = report
            .lines()
            .find(|l| l.starts_with(&format!("| {name}")))
            .unwrap_or_else(|| panic!("no {name} row: {report}"));
        line.split('|').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect::<Vec<_>>()
    };
    // Columns: name, articles/s, ... OK, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, other.
    for name in ["unary", "stream"] {
        let cells = row(name);
        let ok: u64 = cells[cells.len() - 4].parse().expect("an OK count");
        assert!(ok > 0, "nothing served in {name}: {report}");
        assert_eq!(cells[cells.len() - 1], "0", "errors in {name}: {report}");
    }
    let open = row("20 ");
    assert_eq!(open.last().map(String::as_str), Some("0"), "late answers: {report}");
}

#[test]
fn enrich_reads_jsonl_as_archives_write_it_and_names_what_is_wrong() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("archive.jsonl");
    let lines = [
        serde_json::json!({"id": "scraped", "text": common::ARTICLE, "publishedAt": "2024-01-14", "sourceName": "Courier", "tags": ["cyber"]}),
        serde_json::json!({"id": "badpub", "text": common::ARTICLE, "publishedAt": "2017-02-3"}),
    ];
    std::fs::write(&path, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("written");
    let out = binary().arg("enrich").arg(&path).output().expect("runs");
    let responses: Vec<pb::EnrichResponse> = parse_lines(&out.stdout).into_iter().map(|(_, r)| r).collect();
    assert_eq!(responses.len(), 2);
    assert!(responses[0].error.is_none() && !responses[0].incidents.is_empty(), "{:?}", responses[0].error);
    let bad = &responses[1];
    assert_eq!(bad.article_id, "badpub", "the line's own id names its error");
    let message = &bad.error.as_ref().expect("error").message;
    for part in [format!("{}:2", path.display()), "publishedAt \"2017-02-3\"".into(), "RFC 3339".into()] {
        assert!(message.contains(&part), "{message:?} lacks {part:?}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("ignored JSONL fields").count(), 1, "one warning per run: {stderr}");
    assert!(stderr.contains("sourceName, tags"), "{stderr}");

    let strict = binary().arg("enrich").arg("--strict-input").arg(&path).output().expect("runs");
    let first = &parse_lines(&strict.stdout)[0].1;
    assert!(first.error.as_ref().is_some_and(|e| e.message.contains("unknown field sourceName, tags")), "{first:?}");
}

#[test]
fn txt_inputs_take_the_publication_time_given_on_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("story.txt");
    let text = "Hackers defaced the website of the Valdremo city council on Friday, officials said.\n";
    std::fs::write(&path, text).expect("written");
    let out = binary().args(["enrich", "--published-at", "2024-03-16"]).arg(&path).output().expect("runs");
    let response = &parse_lines(&out.stdout)[0].1;
    let date = response.incidents[0].occurred.as_ref().map(|o| o.date.as_str());
    assert_eq!(date, Some("2024-03-15"), "Friday before Saturday 16 March 2024");
    let refused = binary().args(["enrich", "--published-at", "16/03/2024"]).arg(&path).output().expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("RFC 3339"));
}

#[test]
fn json_log_lines_carry_each_key_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("blank.txt");
    std::fs::write(&path, " \n").expect("written");
    let out = binary().args(["--log-format", "json", "enrich"]).arg(&path).output().expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.contains("article not enriched")).expect("the failure is logged");
    let _: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
    assert_eq!(line.matches("\"message\":").count(), 1, "{line}");
    assert!(line.contains("\"error\":\"article text is empty\""), "{line}");
}

#[test]
fn enrich_summary_prints_one_readable_line_per_incident() {
    let jsonl = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/articles.jsonl");
    let json = binary().arg("enrich").arg(&jsonl).output().expect("runs");
    let incidents: usize = parse_lines(&json.stdout).iter().map(|(_, r)| r.incidents.len()).sum();
    let out = binary().args(["enrich", "--summary"]).arg(&jsonl).output().expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(text.lines().count(), incidents, "{text}");
    let ddos = text.lines().find(|l| l.starts_with("ex-jsonl-002")).expect("the DDoS report");
    assert!(ddos.contains("DDOS · current · 2024-03-11") && ddos.contains("Killnet (claimed)"), "{ddos}");
}
