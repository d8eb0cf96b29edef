//! The Kubernetes manifests under deploy/kubernetes ask of the binary only what it accepts:
//! every incident-enricher container's `args`, and its environment (`env` and the ConfigMaps
//! it loads with `envFrom`), go through the binary's own clap parser and `check_env`.
//!
//! Two readings: every YAML file as written (always; kustomize's `configMapGenerator` literals
//! count as a ConfigMap), and, when `kubectl` is on the PATH, each kustomization rendered by
//! `kubectl kustomize`, as it would be applied (patches and generator merges included). The
//! rendered check needs kubectl, so a plain `cargo test` shows it as ignored; CI runs it with
//! `-- --ignored`, where a missing kubectl fails it.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use clap::{CommandFactory, Parser};
use incident_enricher::config::{self, Cli};
use serde_yaml_ng::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kubernetes");

/// One incident-enricher container found in a manifest.
#[derive(Debug)]
struct Container {
    /// Where it was found, for messages.
    origin: String,
    args: Vec<String>,
    /// Names and literal values (`None` for `valueFrom`), `envFrom` ConfigMaps first, then `env`.
    env: Vec<(String, Option<String>)>,
    /// The pod spec it belongs to.
    pod: Value,
    /// The container itself.
    spec: Value,
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("deploy/kubernetes is readable").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn documents(text: &str, origin: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("{origin}: not YAML: {e}")))
        .filter(|v| !v.is_null())
        .collect()
}

fn str_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("expected a scalar, got {other:?}"),
    }
}

/// ConfigMaps by name: `kind: ConfigMap` data, and kustomize `configMapGenerator` literals
/// (merged across kustomizations, as `behavior: merge` does).
fn config_maps(docs: &[Value]) -> BTreeMap<String, Vec<(String, String)>> {
    let mut maps: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for doc in docs {
        if doc["kind"].as_str() == Some("ConfigMap") {
            let name = str_of(&doc["metadata"]["name"]);
            let data = doc["data"].as_mapping().into_iter().flatten().map(|(k, v)| (str_of(k), str_of(v)));
            maps.entry(name).or_default().extend(data);
        }
        for generator in doc["configMapGenerator"].as_sequence().into_iter().flatten() {
            let name = str_of(&generator["name"]);
            for literal in generator["literals"].as_sequence().into_iter().flatten() {
                let literal = str_of(literal);
                let (k, v) = literal.split_once('=').unwrap_or_else(|| panic!("literal {literal:?} has no ="));
                maps.entry(name.clone()).or_default().push((k.to_string(), v.to_string()));
            }
        }
    }
    maps
}

/// Every container whose image is incident-enricher, at any depth (Deployment, Job, Pod,
/// patches), with its environment resolved against `maps`.
fn containers(docs: &[Value], maps: &BTreeMap<String, Vec<(String, String)>>, origin: &str) -> Vec<Container> {
    fn walk(v: &Value, out: &mut Vec<(Value, Value)>) {
        match v {
            Value::Mapping(m) => {
                for key in ["containers", "initContainers"] {
                    for c in m.get(key).and_then(Value::as_sequence).into_iter().flatten() {
                        if c["image"].as_str().is_some_and(|i| i.contains("incident-enricher")) {
                            out.push((v.clone(), c.clone()));
                        }
                    }
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for doc in docs {
        let mut pairs = Vec::new();
        walk(doc, &mut pairs);
        for (pod, c) in pairs {
            let mut env = Vec::new();
            for from in c["envFrom"].as_sequence().into_iter().flatten() {
                let name = str_of(&from["configMapRef"]["name"]);
                // A rendered name carries kustomize's hash suffix.
                let data = maps
                    .get(&name)
                    .or_else(|| maps.iter().find(|(k, _)| name.starts_with(&format!("{k}-"))).map(|(_, v)| v))
                    .unwrap_or_else(|| panic!("{origin}: envFrom ConfigMap {name} not found"));
                env.extend(data.iter().map(|(k, v)| (k.clone(), Some(v.clone()))));
            }
            for e in c["env"].as_sequence().into_iter().flatten() {
                env.push((str_of(&e["name"]), e.get("value").map(str_of)));
            }
            let args = c["args"].as_sequence().into_iter().flatten().map(str_of).collect();
            let name = format!(
                "{}/{} container {}",
                doc["kind"].as_str().unwrap_or("?"),
                doc["metadata"]["name"].as_str().unwrap_or("?"),
                str_of(&c["name"])
            );
            found.push(Container { origin: format!("{origin}: {name}"), args, env, pod, spec: c });
        }
    }
    found
}

/// What the binary would say about this container's command line and environment.
fn check(c: &Container) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", c.origin);
    if c.args.is_empty() {
        return Err(err(&"no args: the image's default command is not checked, name the subcommand"));
    }
    // Each name once: the last one wins, as in a pod's environment.
    let mut env: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (k, v) in &c.env {
        env.insert(k.clone(), v.clone());
    }
    config::check_env(env.iter().map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))).map_err(|e| err(&e))?;

    let argv = |rest: &[String]| {
        std::iter::once("incident-enricher".to_string()).chain(rest.iter().cloned()).collect::<Vec<_>>()
    };
    Cli::try_parse_from(argv(&c.args)).map_err(|e| err(&format!("args {:?}: {e}", c.args)))?;

    // The environment, as the flags its variables stand for, on the same subcommand.
    let command = Cli::command();
    let sub = command.find_subcommand(&c.args[0]).ok_or_else(|| err(&format!("unknown subcommand {}", c.args[0])))?;
    let env_flags: BTreeMap<String, String> = command
        .get_arguments()
        .filter(|a| a.is_global_set())
        .chain(sub.get_arguments())
        .filter_map(|a| Some((a.get_env()?.to_string_lossy().into_owned(), a.get_long()?.to_string())))
        .collect();
    let mut flags = vec![c.args[0].clone()];
    for (name, value) in &env {
        match env_flags.get(name) {
            Some(long) => {
                if let Some(value) = value {
                    flags.push(format!("--{long}={value}"));
                }
            }
            None if name.starts_with(config::ENV_PREFIX) => {
                return Err(err(&format!("{name} is not read by `{}`", c.args[0])));
            }
            None => {}
        }
    }
    if c.args[0] == "backfill" {
        // Required flags, so the environment alone parses.
        flags.extend(["--endpoint=x:1", "--input=-", "--output=o"].map(String::from));
    }
    Cli::try_parse_from(argv(&flags)).map_err(|e| err(&format!("environment as flags {:?}: {e}", &flags[1..])))?;
    Ok(())
}

fn duration_secs(s: &str) -> u64 {
    humantime::parse_duration(s).unwrap_or_else(|e| panic!("not a duration: {s}: {e}")).as_secs_f64().ceil() as u64
}

/// A serving pod must outlive its preStop sleep plus its drain, or Kubernetes kills it mid-drain.
fn check_grace(c: &Container) -> Result<(), String> {
    if c.args.first().map(String::as_str) != Some("serve") {
        return Ok(());
    }
    let drain = c
        .env
        .iter()
        .rev()
        .find(|(k, _)| k == "ENRICHER_DRAIN_TIMEOUT")
        .and_then(|(_, v)| v.clone())
        .or_else(|| c.args.iter().position(|a| a == "--drain-timeout").map(|i| c.args[i + 1].clone()))
        .unwrap_or_else(|| humantime::format_duration(config::DEFAULT_DRAIN_TIMEOUT).to_string());
    let sleep = c.spec["lifecycle"]["preStop"]["sleep"]["seconds"].as_u64().unwrap_or(0);
    let grace = c.pod["terminationGracePeriodSeconds"].as_u64().unwrap_or(30);
    let needed = sleep + duration_secs(&drain);
    if grace <= needed {
        return Err(format!(
            "{}: terminationGracePeriodSeconds {grace} <= preStop sleep {sleep} + drain {drain}",
            c.origin
        ));
    }
    if c.pod.get("enableServiceLinks").and_then(Value::as_bool) != Some(false) {
        return Err(format!(
            "{}: enableServiceLinks must be false (a Service named enricher would inject ENRICHER_* variables)",
            c.origin
        ));
    }
    Ok(())
}

fn check_all(found: &[Container]) -> Vec<String> {
    found.iter().flat_map(|c| [check(c).err(), check_grace(c).err()]).flatten().collect()
}

#[test]
fn manifests_as_written_use_only_flags_and_variables_the_binary_accepts() {
    let mut files = Vec::new();
    yaml_files(Path::new(ROOT), &mut files);
    let docs: Vec<(String, Vec<Value>)> = files
        .iter()
        .map(|p| {
            let origin = p.strip_prefix(ROOT).unwrap().display().to_string();
            let docs = documents(&std::fs::read_to_string(p).unwrap(), &origin);
            (origin, docs)
        })
        .collect();
    let all: Vec<Value> = docs.iter().flat_map(|(_, d)| d.clone()).collect();
    let maps = config_maps(&all);
    let found: Vec<Container> = docs.iter().flat_map(|(origin, d)| containers(d, &maps, origin)).collect();
    // base Deployment, sidecar, backfill Job.
    assert!(found.len() >= 3, "expected the server, sidecar and backfill containers, found {found:#?}");
    let subcommands: Vec<&str> = found.iter().map(|c| c.args[0].as_str()).collect();
    assert!(subcommands.contains(&"serve") && subcommands.contains(&"backfill"), "{subcommands:?}");
    let errors = check_all(&found);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
#[ignore = "needs kubectl: cargo test --test manifests -- --ignored"]
fn rendered_kustomizations_use_only_flags_and_variables_the_binary_accepts() {
    let dirs = ["base", "overlays/sidecar", "overlays/backfill", "overlays/observability"];
    assert!(Command::new("kubectl").arg("version").arg("--client").output().is_ok(), "kubectl not found on the PATH");
    let mut errors = Vec::new();
    for dir in dirs {
        let out = Command::new("kubectl").args(["kustomize", &format!("{ROOT}/{dir}")]).output().expect("kubectl runs");
        assert!(out.status.success(), "kubectl kustomize {dir}: {}", String::from_utf8_lossy(&out.stderr));
        let docs = documents(&String::from_utf8(out.stdout).unwrap(), dir);
        let maps = config_maps(&docs);
        let found = containers(&docs, &maps, dir);
        assert!(!found.is_empty(), "{dir}: no incident-enricher container rendered");
        errors.extend(check_all(&found));
        // Every Service, PodDisruptionBudget and NetworkPolicy selects pods that exist.
        let pod_labels: Vec<&Value> = docs
            .iter()
            .filter(|d| matches!(d["kind"].as_str(), Some("Deployment" | "Job")))
            .map(|d| &d["spec"]["template"]["metadata"]["labels"])
            .collect();
        for d in &docs {
            let selector = match d["kind"].as_str() {
                Some("Service") => &d["spec"]["selector"],
                Some("PodDisruptionBudget") => &d["spec"]["selector"]["matchLabels"],
                Some("NetworkPolicy") => &d["spec"]["podSelector"]["matchLabels"],
                Some("Deployment") => &d["spec"]["selector"]["matchLabels"],
                _ => continue,
            };
            let selector = selector.as_mapping().expect("selector labels");
            let matches = pod_labels.iter().any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)));
            if !matches {
                errors.push(format!(
                    "{dir}: {} {:?} selects no pod template",
                    str_of(&d["kind"]),
                    d["metadata"]["name"]
                ));
            }
        }
        for d in docs.iter().filter(|d| d["kind"].as_str() == Some("HorizontalPodAutoscaler")) {
            let target = &d["spec"]["scaleTargetRef"];
            if !docs.iter().any(|t| t["kind"] == target["kind"] && t["metadata"]["name"] == target["name"]) {
                errors.push(format!("{dir}: HPA target {target:?} not rendered"));
            }
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn pod_with(container: &str) -> Vec<Container> {
    let yaml = format!(
        "kind: Deployment\nmetadata: {{name: t}}\nspec:\n  template:\n    spec:\n      enableServiceLinks: false\n      containers:\n{container}"
    );
    let docs = documents(&yaml, "test");
    containers(&docs, &config_maps(&docs), "test")
}

#[test]
fn the_check_catches_unknown_flags_variables_and_values() {
    let ok = "      - {name: e, image: incident-enricher, args: [serve, --listen, 'unix:///s/e.sock'], env: [{name: ENRICHER_DEADLINE, value: 5s}, {name: RUST_LOG, value: info}]}\n";
    assert_eq!(check_all(&pod_with(ok)), Vec::<String>::new());
    for bad in [
        "      - {name: e, image: incident-enricher, args: [serve, --no-such-flag, '1']}\n",
        "      - {name: e, image: incident-enricher, args: [serve, --deadline, soon]}\n",
        "      - {name: e, image: incident-enricher, args: [serve], env: [{name: ENRICHER_NO_SUCH, value: '1'}]}\n",
        "      - {name: e, image: incident-enricher, args: [serve], env: [{name: ENRICHER_DEADLINE, value: soon}]}\n",
        "      - {name: e, image: incident-enricher, args: [serve], env: [{name: OTEL_EXPORTER_OTLP_PROTOCOL, value: udp}]}\n",
        // Known to the binary, but not read by backfill.
        "      - {name: e, image: incident-enricher, args: [backfill, --endpoint, 'e:1', --input, '-', --output, o], env: [{name: ENRICHER_LISTEN, value: '0.0.0.0:1'}]}\n",
        "      - {name: e, image: incident-enricher, args: [backfill, --input, '-', --output, o]}\n",
        // 5 s sleep + 30 s drain do not fit the default 30 s grace period.
        "      - {name: e, image: incident-enricher, args: [serve, --drain-timeout, 30s], lifecycle: {preStop: {sleep: {seconds: 5}}}}\n",
    ] {
        let found = pod_with(bad);
        assert_eq!(found.len(), 1);
        assert!(!check_all(&found).is_empty(), "accepted: {bad}");
    }
}
