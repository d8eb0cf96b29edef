#!/usr/bin/env python3
"""Conformance check of incident-enricher from a non-Rust (Python grpcio) client.

Compiles proto/enricher/v1/enricher.proto with grpc_tools.protoc into a temp
directory, starts `SERVER_BIN serve --listen 127.0.0.1:PORT` (with
ENRICHER_MAX_ARTICLE_BYTES=65536), waits for Health to report SERVING, then
checks health, reflection (v1alpha and v1), Enrich, its error codes,
EnrichStream and code-point spans, and that SIGTERM gives exit code 0.

Prints `ok  - name` / `FAIL - name: detail` per check and a final line
`N passed, M failed`; exits 1 on any failure.

    pip install -r tests/python/requirements.txt
    python3 tests/python/check_client.py --server-bin target/debug/incident-enricher
    python3 tests/python/check_client.py --compile-only
    python3 tests/python/check_client.py --address 127.0.0.1:50051   # a server already running
                                   # (started with ENRICHER_MAX_ARTICLE_BYTES=65536; not stopped)
"""
import argparse, importlib.resources, os, signal, socket, subprocess, sys, tempfile, time

import grpc
from grpc_tools import protoc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from google.protobuf import descriptor_pb2

PROTO_ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto"))
SERVICE = "enricher.v1.Enricher"
MAX_BYTES = 65536

ARTICLE = (  # original fictional text, written for this check
    "Pro-Russian hackers knock Finnish parliament website offline\n"
    "Share this article\n"
    "HELSINKI, 12 March 2025 - The public website of Finland's parliament, the Eduskunta, was "
    "unreachable for most of Wednesday after a distributed denial-of-service (DDoS) attack that the "
    "pro-Russian hacker group NoName057(16) claimed on its Telegram channel. Visitors saw only "
    "timeout errors between 9am and 3pm local time, while internal systems and plenary sessions "
    "were not affected, a parliament spokesperson said. The group said the attack punished Helsinki "
    "for its support of Ukraine. Finnish officials said the junk traffic came from thousands of "
    "hijacked servers, some of them using the address 203.0.113[.]45. Russia has not commented. "
    "In 2022 the same group targeted government sites in Lithuania and Poland.\n"
    "Subscribe to our newsletter for more cyber news."
)
MULTIBYTE = (  # original fictional text: Cyrillic, emoji and curly quotes before the entities
    "Хакеры атаковали сайт парламента 🇷🇺🔥💥 «Мы здесь» — “Привет, Эдускунта!” 😈😈😈\n"
    "The group wrote “мы вернёмся” 🤖 on Telegram. Pro-Russian hackers flooded the website of "
    "Finland’s parliament with junk traffic on Friday, a DDoS attack claimed by NoName057(16). "
    "Officials in Finland said the site was down for four hours ✅."
)

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(f"ok  - {name}" if ok else f"FAIL - {name}: {detail}", flush=True)


def compile_proto(out_dir):
    wkt = str(importlib.resources.files("grpc_tools") / "_proto")
    proto = os.path.join(PROTO_ROOT, "enricher", "v1", "enricher.proto")
    rc = protoc.main(["grpc_tools.protoc", f"-I{PROTO_ROOT}", f"-I{wkt}",
                      f"--python_out={out_dir}", f"--grpc_python_out={out_dir}", proto])
    if rc != 0:
        raise RuntimeError(f"protoc exited {rc} for {proto}")
    for pkg in ("enricher", os.path.join("enricher", "v1")):
        open(os.path.join(out_dir, pkg, "__init__.py"), "a").close()
    sys.path.insert(0, out_dir)
    from enricher.v1 import enricher_pb2, enricher_pb2_grpc
    return enricher_pb2, enricher_pb2_grpc


def spans_of(resp):
    """Every Span in a response, labelled, for bounds checks."""
    out = [(f"entity {e.id} mention", m) for e in resp.entities for m in e.mentions]
    out += [(f"indicator {i.value} mention", m) for i in resp.indicators for m in i.mentions]
    out += [("removed", r.span) for r in resp.cleanup.removed]
    for inc in resp.incidents:
        out += [(f"incident {inc.id} evidence", s) for s in inc.evidence]
        out += [(f"incident {inc.id} attribution", a.evidence) for a in inc.attributions if a.HasField("evidence")]
        if inc.occurred.HasField("evidence"):
            out.append((f"incident {inc.id} occurred", inc.occurred.evidence))
    return out


def bad_spans(resp, text, only_entities=False):
    spans = [s for s in spans_of(resp) if not only_entities or s[0].startswith("entity")]
    return [f"{label} [{s.start},{s.end}) vs len {len(text)}" for label, s in spans
            if not (0 <= s.start < s.end <= len(text))]


def expect_code(stub, name, request, code, must_mention=None):
    try:
        stub.Enrich(request, timeout=30)
        check(name, False, f"succeeded, expected {code.name}")
    except grpc.RpcError as e:
        ok = e.code() == code and (must_mention is None or must_mention in (e.details() or ""))
        check(name, ok, f"got {e.code().name}: {e.details()!r}")


def reflect(channel, version, request):
    if version == "v1alpha":
        call = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo
    else:  # v1 is wire-identical to v1alpha; grpc_reflection may not ship its stubs
        call = channel.stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                     request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
                                     response_deserializer=reflection_pb2.ServerReflectionResponse.FromString)
    return next(iter(call(iter([request]), timeout=30)))


def check_reflection(channel):
    for version in ("v1alpha", "v1"):
        name = f"reflection {version} list_services"
        try:
            resp = reflect(channel, version, reflection_pb2.ServerReflectionRequest(list_services=""))
            names = {s.name for s in resp.list_services_response.service}
            missing = {SERVICE, "grpc.health.v1.Health"} - names
            check(name, not missing, f"missing {sorted(missing)} in {sorted(names)}")
            resp = reflect(channel, version, reflection_pb2.ServerReflectionRequest(file_containing_symbol=SERVICE))
            fds = [descriptor_pb2.FileDescriptorProto.FromString(b)
                   for b in resp.file_descriptor_response.file_descriptor_proto]
            found = any(f.package == "enricher.v1" and any(s.name == "Enricher" for s in f.service) for f in fds)
            check(f"reflection {version} file_containing_symbol", found,
                  f"no enricher.v1 file with service Enricher in {[f.name for f in fds]}; "
                  f"error={resp.error_response.error_message!r}")
        except grpc.RpcError as e:
            check(name, False, f"{e.code().name}: {e.details()}")


def run_checks(channel, pb, pb_grpc):
    health = health_pb2_grpc.HealthStub(channel)
    for svc in ("", SERVICE):
        try:
            st = health.Check(health_pb2.HealthCheckRequest(service=svc), timeout=10).status
            check(f"health Check({svc!r}) SERVING", st == health_pb2.HealthCheckResponse.SERVING, f"status {st}")
        except grpc.RpcError as e:
            check(f"health Check({svc!r}) SERVING", False, f"{e.code().name}: {e.details()}")
    check_reflection(channel)

    stub = pb_grpc.EnricherStub(channel)
    req = lambda id, text, **kw: pb.EnrichRequest(article=pb.Article(id=id, text=text), **kw)
    try:
        r = stub.Enrich(req("art-1", ARTICLE), timeout=60)
        check("Enrich echoes article_id", r.article_id == "art-1", f"got {r.article_id!r}")
        bad = bad_spans(r, ARTICLE, only_entities=True)
        check("Enrich returns entities with in-range spans", r.entities and not bad,
              f"{len(r.entities)} entities; bad: {bad[:5]}")
        check("Enrich provenance.service_version", r.provenance.service_version, "empty")
        r = stub.Enrich(req("art-2", ARTICLE, include_clean_text=True), timeout=60)
        check("Enrich include_clean_text gives clean_text", r.cleanup.clean_text.strip(), "empty")
    except grpc.RpcError as e:
        check("Enrich on an English article", False, f"{e.code().name}: {e.details()}")

    INVALID = grpc.StatusCode.INVALID_ARGUMENT
    expect_code(stub, "Enrich empty text -> INVALID_ARGUMENT", req("e1", ""), INVALID)
    expect_code(stub, "Enrich whitespace text -> INVALID_ARGUMENT", req("e2", " \n\t  \u00a0\n"), INVALID)
    expect_code(stub, "Enrich missing article -> INVALID_ARGUMENT", pb.EnrichRequest(), INVALID)
    expect_code(stub, f"Enrich >{MAX_BYTES} bytes -> INVALID_ARGUMENT mentioning {MAX_BYTES}",
                req("e4", "DDoS attack. " * 5400), INVALID, must_mention=str(MAX_BYTES))

    ids = [f"a{i}" for i in range(50)]
    try:
        reqs = iter([req(i, "" if i == "a7" else ARTICLE.replace("Wednesday", f"day {i}")) for i in ids])
        resps = list(stub.EnrichStream(reqs, timeout=300))
        got = [r.article_id for r in resps]
        check("EnrichStream: 50 responses, each id once", sorted(got) == sorted(ids),
              f"{len(got)} responses; missing {sorted(set(ids) - set(got))}; "
              f"duplicates {sorted({i for i in got if got.count(i) > 1})}")
        a7 = [r for r in resps if r.article_id == "a7"]
        check("EnrichStream: a7 has error INVALID_ARGUMENT with message",
              a7 and a7[0].HasField("error") and a7[0].error.code == pb.Error.Code.INVALID_ARGUMENT
              and a7[0].error.message, f"{a7[0].error if a7 else 'no a7 response'}")
        wrong = [r.article_id for r in resps if r.article_id != "a7" and (r.HasField("error") or not r.entities)]
        check("EnrichStream: others have no error and have entities", not wrong, f"bad ids {wrong[:10]}")
    except grpc.RpcError as e:
        check("EnrichStream", False, f"{e.code().name}: {e.details()}")

    try:
        r = stub.Enrich(req("mb", MULTIBYTE), timeout=60)
        bad = bad_spans(r, MULTIBYTE)
        check("multi-byte text: spans within len(text) code points", spans_of(r) and not bad,
              f"{len(spans_of(r))} spans; bad: {bad[:5]}")
        hits = [e.name for e in r.entities for m in e.mentions if MULTIBYTE[m.start:m.end] == e.name]
        check("multi-byte text: some mention slice equals its entity name", hits,
              f"slices: {[(e.name, MULTIBYTE[m.start:m.end]) for e in r.entities for m in e.mentions][:6]}")
    except grpc.RpcError as e:
        check("multi-byte text Enrich", False, f"{e.code().name}: {e.details()}")


def wait_ready(channel, proc, deadline):
    """channel_ready_future, then poll Health/Check until SERVING; None on success, else why not."""
    ready = grpc.channel_ready_future(channel)
    while True:  # wait in short slices so that a server that dies is noticed at once
        if proc.poll() is not None:
            return f"server exited with {proc.returncode}"
        try:
            ready.result(timeout=min(0.5, max(0.01, deadline - time.monotonic())))
            break
        except grpc.FutureTimeoutError:
            if time.monotonic() >= deadline:
                return "channel not ready after 30 s"
    health = health_pb2_grpc.HealthStub(channel)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return f"server exited with {proc.returncode}"
        try:
            if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                return None
        except grpc.RpcError:
            pass
        time.sleep(0.1)
    return "Health never reported SERVING"


class _Running:
    """A server this script did not start: never seen to exit."""

    def poll(self):
        return None


def check_running(address, pb, pb_grpc):
    channel = grpc.insecure_channel(address)
    try:
        why = wait_ready(channel, _Running(), time.monotonic() + 30)
        check("server reports SERVING", why is None, why)
        if why is None:
            run_checks(channel, pb, pb_grpc)
    finally:
        channel.close()
    return finish()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server-bin", help="path to the incident-enricher binary")
    ap.add_argument("--compile-only", action="store_true", help="stop after compiling and importing the proto")
    ap.add_argument("--address", help="check a server already running at HOST:PORT (e.g. in a container) "
                    f"instead of starting one; it must have ENRICHER_MAX_ARTICLE_BYTES={MAX_BYTES}")
    args = ap.parse_args()
    if not args.compile_only and not args.server_bin and not args.address:
        ap.error("--server-bin or --address is required (or --compile-only)")
    tmp = tempfile.mkdtemp(prefix="enricher-check-")
    try:
        pb, pb_grpc = compile_proto(tmp)
        check("proto compiles and imports", pb.EnrichRequest and pb_grpc.EnricherStub)
    except Exception as e:  # noqa: BLE001 - report any failure as a check
        check("proto compiles and imports", False, repr(e))
        return finish()
    if args.compile_only:
        return finish()
    if args.address:
        return check_running(args.address, pb, pb_grpc)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = os.path.join(tmp, "server.log")
    log = open(log_path, "wb")
    env = dict(os.environ, ENRICHER_MAX_ARTICLE_BYTES=str(MAX_BYTES))
    proc = subprocess.Popen([args.server_bin, "serve", "--listen", f"127.0.0.1:{port}", "--metrics-listen", "127.0.0.1:0"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        why = wait_ready(channel, proc, time.monotonic() + 30)
        check("server starts and reports SERVING", why is None, why)
        if why is None:
            run_checks(channel, pb, pb_grpc)
            proc.send_signal(signal.SIGTERM)
            try:
                rc = proc.wait(timeout=30)
                check("SIGTERM: server exits 0", rc == 0, f"exit code {rc}")
            except subprocess.TimeoutExpired:
                check("SIGTERM: server exits 0", False, "still running 30 s after SIGTERM")
    finally:
        channel.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    if not all(results):
        with open(log_path, "rb") as f:
            tail = f.read().decode("utf-8", "replace").splitlines()[-30:]
        print("--- server log (last 30 lines) ---\n" + "\n".join(tail), flush=True)
    return finish()


def finish():
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
