"""Tests of the Optiscope Python client (stdlib unittest only).

Offline tests use a tiny local http.server. Live tests talk to a running server given by
OPTISCOPE_URL and OPTISCOPE_API_KEY (a read+write key), plus OPTISCOPE_READONLY_API_KEY
(a read-only key of the same project) and OPTISCOPE_OTHER_RUN_ID (a run of another
project). `bash scripts/python-client-tests.sh` starts such a server and runs them.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
sys.path.insert(0, CLIENT_DIR)

from optiscope import (  # noqa: E402
    MAX_ITERATIONS_PER_REQUEST,
    MAX_SAMPLES_PER_REQUEST,
    Optiscope,
    OptiscopeConnectionError,
    OptiscopeError,
)

URL = os.environ.get("OPTISCOPE_URL")
API_KEY = os.environ.get("OPTISCOPE_API_KEY")
READONLY_KEY = os.environ.get("OPTISCOPE_READONLY_API_KEY")
OTHER_RUN_ID = os.environ.get("OPTISCOPE_OTHER_RUN_ID")

live = unittest.skipUnless(URL and API_KEY, "set OPTISCOPE_URL and OPTISCOPE_API_KEY to run the live tests")


class RecordingClient(Optiscope):
    """Records each logical request (method, path, number of items in a list body)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def _request(self, method, path, query=None, body=None, **kwargs):
        self.calls.append((method, path, len(body) if isinstance(body, list) else None))
        return super()._request(method, path, query=query, body=body, **kwargs)


def unique_tag(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --- a scripted local HTTP server -----------------------------------------------------


class ScriptedServer:
    """Answers requests with a scripted list of (status, headers, body) and records the
    requests. Past the script, it repeats the last answer."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                outer.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(raw) if raw else None,
                    }
                )
                index = min(len(outer.requests) - 1, len(outer.answers) - 1)
                status, headers, body = outer.answers[index]
                if callable(body):
                    body = body(outer.requests[-1])
                data = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode())
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if data and "content-type" not in {k.lower() for k in headers}:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def error_body(code, message, details=None):
    err = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


RUN = {"id": "00000000-0000-4000-8000-000000000000", "runName": "r", "status": "pending"}


def offline_client(url, **kwargs):
    kwargs.setdefault("max_retries", 5)
    kwargs.setdefault("backoff", 0.01)
    client = Optiscope(url, "osk_test", timeout=5, **kwargs)
    client.sleeps = []
    client._sleep = client.sleeps.append  # record instead of waiting
    return client


class RetryTest(unittest.TestCase):
    def test_retries_429_then_503_then_succeeds_with_the_same_run_id(self):
        answers = [
            (429, {"Retry-After": "0"}, error_body("rate_limited", "too many requests: retry in 0s")),
            (503, {}, error_body("internal_error", "unavailable")),
            (201, {}, lambda req: dict(RUN, id=req["body"]["id"], runName=req["body"]["runName"])),
        ]
        with ScriptedServer(answers) as server:
            client = offline_client(server.url)
            run = client.create_run("retried", "miprov2", config={"model": "gpt-4o-mini"})
        self.assertEqual(len(server.requests), 3)
        ids = {r["body"]["id"] for r in server.requests}
        self.assertEqual(len(ids), 1, "every attempt must send the same client-chosen id")
        self.assertEqual(run["id"], ids.pop())
        uuid.UUID(run["id"], version=4)
        # Retry-After: 0 honoured exactly; the 503 waits a jittered backoff step
        self.assertEqual(len(client.sleeps), 2)
        self.assertEqual(client.sleeps[0], 0)
        self.assertGreaterEqual(client.sleeps[1], 0)
        self.assertLessEqual(client.sleeps[1], 0.01 * 2)
        first = server.requests[0]
        self.assertEqual(first["method"], "POST")
        self.assertEqual(first["path"], "/api/v1/runs")
        self.assertEqual(first["headers"].get("Authorization"), "Bearer osk_test")
        self.assertTrue(first["headers"].get("Content-Type", "").startswith("application/json"))
        self.assertEqual(first["body"]["runName"], "retried")
        self.assertEqual(first["body"]["optimizerType"], "miprov2")

    def test_400_is_not_retried(self):
        with ScriptedServer([(400, {}, error_body("invalid_json", "the body is not valid JSON"))]) as server:
            client = offline_client(server.url)
            with self.assertRaises(OptiscopeError) as caught:
                client.get_run(RUN["id"])
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(client.sleeps, [])
        self.assertEqual(caught.exception.status, 400)
        self.assertEqual(caught.exception.code, "invalid_json")

    def test_422_and_404_are_not_retried(self):
        issues = {"issues": [{"path": "score", "message": "must be between 0 and 1"}]}
        for status, code, details in [(422, "validation_failed", issues), (404, "not_found", None), (403, "forbidden", None)]:
            with ScriptedServer([(status, {}, error_body(code, "nope", details))]) as server:
                client = offline_client(server.url)
                with self.assertRaises(OptiscopeError) as caught:
                    client.log_iteration(RUN["id"], 0, score=0.5)
            self.assertEqual(len(server.requests), 1, status)
            self.assertEqual((caught.exception.status, caught.exception.code), (status, code))
            self.assertEqual(caught.exception.details, details)
        self.assertEqual(caught.exception.issues, [])

    def test_gives_up_after_max_retries(self):
        with ScriptedServer([(500, {"x-request-id": "req-1"}, error_body("internal_error", "boom", {"requestId": "req-1"}))]) as server:
            client = offline_client(server.url, max_retries=2)
            with self.assertRaises(OptiscopeError) as caught:
                client.list_runs()
        self.assertEqual(len(server.requests), 3)
        self.assertEqual(caught.exception.status, 500)
        self.assertEqual(caught.exception.code, "internal_error")
        self.assertEqual(caught.exception.request_id, "req-1")

    def test_backoff_grows_exponentially(self):
        with ScriptedServer([(502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>")]) as server:
            client = offline_client(server.url, max_retries=4, backoff=1.0)
            client._random = lambda: 1.0  # the top of each jitter range
            with self.assertRaises(OptiscopeError) as caught:
                client.get_run(RUN["id"])
        self.assertEqual(client.sleeps, [1.0, 2.0, 4.0, 8.0])
        self.assertEqual(caught.exception.status, 502)
        self.assertEqual(caught.exception.code, "http_502")
        self.assertIn("Bad gateway", caught.exception.message)

    def test_retry_after_is_honoured(self):
        answers = [(429, {"Retry-After": "3"}, error_body("rate_limited", "slow down")), (200, {}, RUN)]
        with ScriptedServer(answers) as server:
            client = offline_client(server.url)
            client.get_run(RUN["id"])
        self.assertEqual(client.sleeps, [3.0])

    def test_connection_errors_are_retried(self):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()  # nothing listens here now
        client = offline_client(f"http://127.0.0.1:{port}", max_retries=2)
        with self.assertRaises(OptiscopeConnectionError) as caught:
            client.get_run(RUN["id"])
        self.assertIsNone(caught.exception.status)
        self.assertEqual(caught.exception.code, "connection_error")
        self.assertEqual(len(client.sleeps), 2)

    def test_a_retried_delete_that_finds_nothing_succeeded(self):
        answers = [(503, {}, error_body("internal_error", "unavailable")), (404, {}, error_body("not_found", "run not found"))]
        with ScriptedServer(answers) as server:
            client = offline_client(server.url)
            self.assertIsNone(client.delete_run(RUN["id"]))
        self.assertEqual([r["method"] for r in server.requests], ["DELETE", "DELETE"])

    def test_a_first_delete_404_raises(self):
        with ScriptedServer([(404, {}, error_body("not_found", "run not found"))]) as server:
            client = offline_client(server.url)
            with self.assertRaises(OptiscopeError) as caught:
                client.delete_run(RUN["id"])
        self.assertEqual(caught.exception.status, 404)


class EncodingTest(unittest.TestCase):
    def test_snake_case_fields_become_camel_case_and_user_json_is_untouched(self):
        with ScriptedServer([(201, {}, RUN)]) as server:
            client = offline_client(server.url)
            client.create_run(
                "r",
                "miprov2",
                config={"miprov2": {"num_candidates": 10, "init_temperature": 1.0}},
                tags=["a"],
                error_message=None,
                initial_score=0.4,
                metadata={"git_sha": "abc"},
            )
        body = server.requests[0]["body"]
        self.assertEqual(body["initialScore"], 0.4)
        self.assertIn("errorMessage", body)
        self.assertEqual(body["config"], {"miprov2": {"num_candidates": 10, "init_temperature": 1.0}})
        self.assertEqual(body["metadata"], {"git_sha": "abc"})
        self.assertEqual(body["tags"], ["a"])

    def test_iteration_and_sample_bodies(self):
        with ScriptedServer([(201, {}, {"inserted": 2, "updated": 0})]) as server:
            client = offline_client(server.url)
            client.log_iteration(RUN["id"], 3, score=0.5, params={"eval_type": "full"}, program_state={"demos": []}, latency_ms=12.5)
            client.log_samples(RUN["id"], [{"score": 1.0, "latency_ms": 3}, {"sampleIndex": 7, "error": "x"}], iteration=3)
        it = server.requests[0]["body"]
        self.assertEqual(it, {"iteration": 3, "score": 0.5, "params": {"eval_type": "full"}, "programState": {"demos": []}, "latencyMs": 12.5})
        samples = server.requests[1]["body"]
        self.assertEqual(samples[0], {"score": 1.0, "latencyMs": 3, "iteration": 3, "sampleIndex": 0})
        self.assertEqual(samples[1], {"sampleIndex": 7, "error": "x", "iteration": 3})

    def test_list_filters_keep_config_types(self):
        page = {"data": [], "nextCursor": None, "total": 0, "totalIsExact": True}
        with ScriptedServer([(200, {}, page)]) as server:
            client = offline_client(server.url)
            client.list_runs(
                config={"miprov2.num_candidates": 10, "model": "gpt-4o-mini", "flags": {"cot": True}, "n": "10"},
                tags=["a", "b"],
                status=["completed", "failed"],
                optimizer_type="miprov2",
                min_score=0.5,
                order_by="finalScore",
                limit=5,
            )
        from urllib.parse import parse_qsl, urlsplit

        query = parse_qsl(urlsplit(server.requests[0]["path"]).query)
        self.assertIn(("config.miprov2.num_candidates", "10"), query)
        self.assertIn(("config.n", '"10"'), query)
        self.assertIn(("config.model", '"gpt-4o-mini"'), query)
        self.assertIn(("config.flags.cot", "true"), query)
        self.assertEqual([v for k, v in query if k == "tags"], ["a", "b"])
        self.assertEqual([v for k, v in query if k == "status"], ["completed", "failed"])
        self.assertIn(("optimizerType", "miprov2"), query)
        self.assertIn(("minScore", "0.5"), query)
        self.assertIn(("orderBy", "final_score"), query)
        self.assertIn(("limit", "5"), query)

    def test_samples_are_chunked_by_count_and_size(self):
        with ScriptedServer([(201, {}, lambda req: {"inserted": len(req["body"]), "updated": 0})]) as server:
            client = offline_client(server.url)
            result = client.log_samples(RUN["id"], [{"score": 0.0} for _ in range(MAX_SAMPLES_PER_REQUEST * 2 + 1)], iteration=0)
            self.assertEqual(result, {"inserted": MAX_SAMPLES_PER_REQUEST * 2 + 1, "updated": 0})
            self.assertEqual([len(r["body"]) for r in server.requests], [MAX_SAMPLES_PER_REQUEST, MAX_SAMPLES_PER_REQUEST, 1])
            del server.requests[:]
            client.max_body_bytes = 50_000
            client.log_samples(RUN["id"], [{"output": "x" * 10_000} for _ in range(12)], iteration=1)
            self.assertEqual([len(r["body"]) for r in server.requests], [4, 4, 4])

    def test_iter_runs_skips_repeated_runs_and_stops_on_a_stalled_cursor(self):
        pages = [
            {"data": [{"id": "a"}, {"id": "b"}], "nextCursor": "c1"},
            {"data": [{"id": "b"}, {"id": "c"}], "nextCursor": "c2"},
            {"data": [{"id": "d"}], "nextCursor": None},
        ]
        with ScriptedServer([(200, {}, page) for page in pages]) as server:
            client = offline_client(server.url)
            self.assertEqual([r["id"] for r in client.iter_runs(limit=2)], ["a", "b", "c", "d"])
        self.assertEqual(["cursor=" in r["path"] for r in server.requests], [False, True, True])
        stalled = [{"data": [{"id": "a"}], "nextCursor": "same"}]
        with ScriptedServer([(200, {}, page) for page in stalled]) as server:
            client = offline_client(server.url)
            with self.assertRaises(OptiscopeError) as caught:
                list(client.iter_runs(limit=1))
        self.assertEqual(caught.exception.code, "pagination_stalled")
        self.assertEqual(len(server.requests), 2)

    def test_nan_is_refused_clearly(self):
        client = offline_client("http://127.0.0.1:9")
        with self.assertRaises(ValueError) as caught:
            client.log_iteration(RUN["id"], 0, score=float("nan"))
        self.assertIn("NaN", str(caught.exception))

    def test_environment_defaults(self):
        old = {k: os.environ.get(k) for k in ("OPTISCOPE_URL", "OPTISCOPE_API_KEY")}
        try:
            os.environ["OPTISCOPE_URL"] = "http://example.test:8080/api/v1/"
            os.environ["OPTISCOPE_API_KEY"] = "osk_env"
            client = Optiscope()
            self.assertEqual(client.base_url, "http://example.test:8080")
            self.assertEqual(client.api_key, "osk_env")
            self.assertEqual(client.run_url("abc"), "http://example.test:8080/runs/abc")
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


# --- live server ----------------------------------------------------------------------


@live
class LiveTestCase(unittest.TestCase):
    def setUp(self):
        self.client = RecordingClient(URL, API_KEY, timeout=60, max_retries=2, backoff=0.1)
        self.tag = unique_tag()

    def new_run(self, name="run", **fields):
        fields.setdefault("tags", [self.tag])
        return self.client.create_run(name, fields.pop("optimizer_type", "miprov2"), **fields)


class RunsTest(LiveTestCase):
    def test_create_get_update_finish_delete(self):
        run = self.new_run(
            "lifecycle",
            config={"model": "gpt-4o-mini", "miprov2": {"num_candidates": 10}},
            description="a run",
            metadata={"dspy": "3.0"},
        )
        uuid.UUID(run["id"], version=4)
        self.assertEqual(run["status"], "pending")
        self.assertEqual(run["runName"], "lifecycle")
        self.assertEqual(run["projectId"], os.environ.get("OPTISCOPE_PROJECT_ID", run["projectId"]))
        self.assertEqual(self.client.get_run(run["id"])["config"]["miprov2"]["num_candidates"], 10)

        started = self.client.start_run(run["id"])
        self.assertEqual(started["status"], "running")
        self.assertIsNotNone(started["startedAt"])
        updated = self.client.update_run(run["id"], run_name="renamed", initial_score=0.4, tags=[self.tag, "x"])
        self.assertEqual((updated["runName"], updated["initialScore"]), ("renamed", 0.4))
        self.assertEqual(updated["tags"], [self.tag, "x"])

        done = self.client.finish_run(run["id"], final_score=0.7)
        self.assertEqual(done["status"], "completed")
        self.assertEqual(done["finalScore"], 0.7)
        self.assertIsNotNone(done["endedAt"])
        self.assertAlmostEqual(done["improvement"], 0.3, places=6)
        # finishing again is harmless (a retried PATCH); reopening is a conflict
        self.assertEqual(self.client.finish_run(run["id"], final_score=0.7)["status"], "completed")
        with self.assertRaises(OptiscopeError) as caught:
            self.client.update_run(run["id"], status="running")
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "conflict"))

        self.client.delete_run(run["id"])
        with self.assertRaises(OptiscopeError) as caught:
            self.client.get_run(run["id"])
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))

    def test_create_with_the_same_id_is_idempotent(self):
        run_id = str(uuid.uuid4())
        first = self.new_run("once", id=run_id)
        again = self.new_run("once", id=run_id)
        self.assertEqual(first["id"], run_id)
        self.assertEqual(again["id"], run_id)
        self.assertEqual(self.client.list_runs(tags=[self.tag])["total"], 1)

    def test_create_as_running_with_datetimes(self):
        import datetime

        started = datetime.datetime(2026, 1, 2, 3, 4, 5)  # naive: taken as UTC
        run = self.new_run("timed", status="running", started_at=started)
        self.assertEqual(run["status"], "running")
        self.assertTrue(run["startedAt"].startswith("2026-01-02T03:04:05"))


class ListRunsTest(LiveTestCase):
    def test_filters_typed_config_tags_status(self):
        number = self.new_run("number", config={"miprov2": {"num_candidates": 10}, "model": "gpt-4o-mini"})
        text = self.new_run("text", config={"miprov2": {"num_candidates": "10"}, "model": "gpt-4o"})
        other = self.new_run("other", tags=[self.tag, "special"], config={"miprov2": {"num_candidates": 20}})
        self.client.finish_run(other["id"], final_score=0.9)

        def names(**filters):
            return sorted(r["runName"] for r in self.client.iter_runs(tags=[self.tag], **filters))

        self.assertEqual(names(), ["number", "other", "text"])
        self.assertEqual(names(config={"miprov2.num_candidates": 10}), ["number"])
        self.assertEqual(names(config={"miprov2.num_candidates": "10"}), ["text"])
        self.assertEqual(names(config={"miprov2": {"num_candidates": 20}}), ["other"])
        self.assertEqual(names(config={"model": "gpt-4o-mini", "miprov2.num_candidates": 10}), ["number"])
        self.assertEqual(names(config={"model": "gpt-4o-mini", "miprov2.num_candidates": "10"}), [])
        self.assertEqual(sorted(r["runName"] for r in self.client.iter_runs(tags=[self.tag, "special"])), ["other"])
        self.assertEqual(names(status="completed"), ["other"])
        self.assertEqual(names(status=["pending", "completed"]), ["number", "other", "text"])
        self.assertEqual(names(min_score=0.5), ["other"])
        self.assertEqual(names(search="NUM"), ["number"])
        self.assertEqual(names(optimizer_type="copro"), [])
        self.assertEqual(number["config"]["miprov2"]["num_candidates"], 10)
        self.assertEqual(text["config"]["miprov2"]["num_candidates"], "10")

    def test_iter_runs_follows_next_cursor(self):
        created = [self.new_run(f"page-{i}")["id"] for i in range(7)]
        first = self.client.list_runs(tags=[self.tag], limit=3)
        self.assertEqual(len(first["data"]), 3)
        self.assertEqual(first["total"], 7)
        self.assertTrue(first["nextCursor"])
        del self.client.calls[:]
        seen = [r["id"] for r in self.client.iter_runs(tags=[self.tag], limit=3)]
        self.assertEqual(len(self.client.calls), 3)
        self.assertEqual(sorted(seen), sorted(created))
        self.assertEqual(len(set(seen)), 7)
        # newest first by default; oldest first on request
        self.assertEqual(seen, list(reversed(created)))
        # (ascending created_at pages overlap by one run on the server: its cursor drops the
        # microseconds of created_at; iter_runs skips the repeats, see the README)
        self.assertEqual([r["id"] for r in self.client.iter_runs(tags=[self.tag], limit=2, order_direction="asc")], created)
        by_score = [r["id"] for r in self.client.iter_runs(tags=[self.tag], limit=2, order_by="final_score", order_direction="asc")]
        self.assertEqual(sorted(by_score), sorted(created))

    def test_order_by_a_config_value_keeps_the_key_as_written(self):
        for name, rate in (("slow", 0.001), ("fast", 0.1), ("middle", 0.01)):
            self.new_run(name, config={"learningRate": rate})
        runs = self.client.list_runs(tags=[self.tag], order_by="config.learningRate", order_direction="desc")["data"]
        self.assertEqual([r["runName"] for r in runs], ["fast", "middle", "slow"])

    def test_unknown_order_is_a_validation_error(self):
        with self.assertRaises(OptiscopeError) as caught:
            self.client.list_runs(order_by="nonsense")
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "validation_failed"))


class IterationsTest(LiveTestCase):
    def test_single_and_batch_upsert_and_best_in_summary(self):
        run = self.new_run("iterations")
        row = self.client.log_iteration(
            run["id"], 0, score=0.3, params={"trial": 1}, program_state={"instructions": "a"}, tokens=100, cost_usd=0.01
        )
        self.assertEqual((row["iteration"], row["score"], row["isBest"]), (0, 0.3, True))
        self.assertEqual(row["programState"], {"instructions": "a"})
        rows = self.client.log_iterations(
            run["id"],
            [
                {"iteration": 1, "score": 0.7, "params": {"trial": 2}, "tokens": 100},
                {"iteration": 2, "score": 0.5, "program_state": {"instructions": "c"}, "latency_ms": 10},
            ],
        )
        self.assertEqual([r["iteration"] for r in rows], [1, 2])
        self.assertEqual(rows[1]["programState"], {"instructions": "c"})
        summary = self.client.summary(run["id"])
        self.assertEqual((summary["iterations"], summary["bestIteration"], summary["bestIterationScore"]), (3, 1, 0.7))
        self.assertEqual(summary["bestScore"], 0.7)
        self.assertEqual(summary["totalTokens"], 200)

        # re-sending updates instead of duplicating
        again = self.client.log_iteration(run["id"], 2, score=0.9, params={"trial": 3, "resent": True})
        self.assertEqual(again["score"], 0.9)
        self.client.log_iterations(run["id"], [{"iteration": 0, "score": 0.31}, {"iteration": 1, "score": 0.7}])
        listed = self.client.list_iterations(run["id"])
        self.assertEqual([(i["iteration"], i["score"]) for i in listed], [(0, 0.31), (1, 0.7), (2, 0.9)])
        self.assertEqual([i["isBest"] for i in listed], [False, False, True])
        summary = self.client.summary(run["id"])
        self.assertEqual((summary["iterations"], summary["bestIteration"], summary["bestIterationScore"]), (3, 2, 0.9))
        self.assertEqual(self.client.get_run(run["id"])["iterations"], 3)

    def test_batch_over_the_limit_is_chunked(self):
        run = self.new_run("many iterations")
        n = MAX_ITERATIONS_PER_REQUEST + 200
        del self.client.calls[:]
        rows = self.client.log_iterations(run["id"], ({"iteration": i, "score": (i % 100) / 100} for i in range(n)))
        self.assertEqual(len(rows), n)
        self.assertEqual([c[2] for c in self.client.calls], [MAX_ITERATIONS_PER_REQUEST, 200])
        self.assertEqual(self.client.get_run(run["id"])["iterations"], n)
        self.assertEqual(self.client.summary(run["id"])["bestIteration"], 99)


class SamplesTest(LiveTestCase):
    def test_6000_samples_in_two_requests_then_resend_updates(self):
        run = self.new_run("samples")
        self.client.log_iteration(run["id"], 0, score=0.5)
        samples = [
            {
                "iteration": i // 3000,
                "sample_index": i % 3000,
                "input": {"question": f"q{i}"},
                "output": {"answer": "a"} if i % 10 else None,
                "expected": {"answer": "a"},
                "score": 1.0 if i % 10 else None,
                "error": None if i % 10 else "TimeoutError: the LM did not answer",
                "latency_ms": 100 + i % 7,
                "tokens": 12,
            }
            for i in range(6000)
        ]
        del self.client.calls[:]
        result = self.client.log_samples(run["id"], samples)
        self.assertEqual(result, {"inserted": 6000, "updated": 0})
        self.assertEqual(self.client.calls, [("POST", f"/runs/{run['id']}/samples", 5000), ("POST", f"/runs/{run['id']}/samples", 1000)])

        stored = list(self.client.iter_samples(run["id"]))
        self.assertEqual(len(stored), 6000)
        self.assertEqual([(s["iteration"], s["sampleIndex"]) for s in stored[:2]], [(0, 0), (0, 1)])
        self.assertEqual((stored[-1]["iteration"], stored[-1]["sampleIndex"]), (1, 2999))
        self.assertEqual(stored[1]["input"], {"question": "q1"})

        resent = self.client.log_samples(run["id"], samples[:10] + samples[-10:])
        self.assertEqual(resent, {"inserted": 0, "updated": 20})
        self.assertEqual(self.client.log_samples(run["id"], samples), {"inserted": 0, "updated": 6000})
        self.assertEqual(len(list(self.client.iter_samples(run["id"], iteration=1, limit=500))), 3000)

        errors = self.client.list_samples(run["id"], errors_only=True, limit=500)
        self.assertEqual(len(errors["data"]), 500)
        self.assertTrue(all(s["error"] and s["score"] is None for s in errors["data"]))
        self.assertEqual(len(list(self.client.iter_samples(run["id"], errors_only=True))), 600)
        page = self.client.list_samples(run["id"], iteration=0, min_score=1.0, limit=5)
        self.assertEqual(len(page["data"]), 5)
        self.assertTrue(page["nextCursor"])
        # a sample logged for the iteration that exists is linked to it
        self.assertIsNotNone(page["data"][0]["iterationId"])


class ErrorsTest(LiveTestCase):
    def test_score_out_of_range_is_validation_failed(self):
        run = self.new_run("bad score")
        with self.assertRaises(OptiscopeError) as caught:
            self.client.log_iteration(run["id"], 0, score=1.5)
        error = caught.exception
        self.assertEqual((error.status, error.code), (422, "validation_failed"))
        self.assertIn("between 0 and 1", error.message)
        self.assertTrue(any(issue["path"] == "score" for issue in error.issues), error.details)
        self.assertEqual(len([c for c in self.client.calls if c[1].endswith("/iterations")]), 1)
        with self.assertRaises(OptiscopeError) as caught:
            self.client.log_samples(run["id"], [{"score": -0.1}], iteration=0)
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "validation_failed"))
        self.assertTrue(any(issue["path"].endswith("score") for issue in caught.exception.issues))

    def test_unknown_field_is_rejected(self):
        with self.assertRaises(OptiscopeError) as caught:
            self.new_run("typo", final_scroe=0.5)
        self.assertEqual((caught.exception.status, caught.exception.code), (422, "validation_failed"))
        self.assertIn("finalScroe", caught.exception.message)

    @unittest.skipUnless(OTHER_RUN_ID, "set OPTISCOPE_OTHER_RUN_ID (a run of another project)")
    def test_another_projects_run_is_not_found(self):
        attempts = [
            lambda: self.client.get_run(OTHER_RUN_ID),
            lambda: self.client.summary(OTHER_RUN_ID),
            lambda: self.client.list_iterations(OTHER_RUN_ID),
            lambda: self.client.list_samples(OTHER_RUN_ID),
            lambda: self.client.update_run(OTHER_RUN_ID, run_name="hijacked"),
            lambda: self.client.log_iteration(OTHER_RUN_ID, 0, score=0.5),
            lambda: self.client.log_samples(OTHER_RUN_ID, [{"score": 0.5}], iteration=0),
            lambda: self.client.finish_run(OTHER_RUN_ID, status="failed"),
        ]
        for attempt in attempts:
            with self.assertRaises(OptiscopeError) as caught:
                attempt()
            self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))
        with self.assertRaises(OptiscopeError) as caught:
            self.client.delete_run(OTHER_RUN_ID)
        self.assertEqual(caught.exception.status, 404)
        self.assertNotIn(OTHER_RUN_ID, [r["id"] for r in self.client.iter_runs()])
        # run ids are unique within a project: this one may use the same id, which neither
        # reveals nor touches the other project's run
        mine = self.new_run("same id", id=OTHER_RUN_ID)
        self.assertEqual((mine["id"], mine["runName"]), (OTHER_RUN_ID, "same id"))
        self.assertEqual(self.client.get_run(OTHER_RUN_ID)["runName"], "same id")
        self.client.delete_run(OTHER_RUN_ID)

    @unittest.skipUnless(READONLY_KEY, "set OPTISCOPE_READONLY_API_KEY (a read-only key of the same project)")
    def test_read_only_key_reads_but_cannot_write(self):
        run = self.new_run("read only")
        reader = RecordingClient(URL, READONLY_KEY, max_retries=2, backoff=0.1)
        self.assertEqual(reader.get_run(run["id"])["id"], run["id"])
        self.assertIn(run["id"], [r["id"] for r in reader.iter_runs(tags=[self.tag])])
        writes = [
            lambda: reader.create_run("nope", "miprov2"),
            lambda: reader.update_run(run["id"], run_name="nope"),
            lambda: reader.log_iteration(run["id"], 0, score=0.5),
            lambda: reader.log_samples(run["id"], [{"score": 0.5}], iteration=0),
            lambda: reader.delete_run(run["id"]),
        ]
        for write in writes:
            with self.assertRaises(OptiscopeError) as caught:
                write()
            self.assertEqual((caught.exception.status, caught.exception.code), (403, "forbidden"))
        self.assertEqual(len(reader.calls), 2 + 5, "a 403 is not retried")
        self.assertEqual(self.client.get_run(run["id"])["runName"], "read only")

    def test_invalid_key_is_unauthorized(self):
        bad = Optiscope(URL, "osk_" + "A" * 43, max_retries=0)
        with self.assertRaises(OptiscopeError) as caught:
            bad.list_runs()
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))


class RunLoggerTest(LiveTestCase):
    def test_completed_run_gets_scores_and_sample_counts(self):
        with self.client.run("logger ok", "miprov2", config={"model": "gpt-4o-mini"}, tags=[self.tag]) as run:
            self.assertEqual(run.run["status"], "running")
            self.assertIsNotNone(run.run["startedAt"])
            self.assertTrue(run.url.endswith(f"/runs/{run.id}"))
            run.log_iteration(0, score=0.4)
            run.log_iterations([{"iteration": 1, "score": 0.8}, {"iteration": 2, "score": 0.6}])
            run.log_samples([{"score": 1.0}, {"score": None, "error": "boom"}, {"score": 0.0}], iteration=0)
            run.log_samples([{"score": 1.0}, {"score": None, "error": "boom"}, {"score": 1.0}], iteration=0)  # re-sent
        stored = self.client.get_run(run.id)
        self.assertEqual(stored["status"], "completed")
        self.assertEqual((stored["initialScore"], stored["finalScore"], stored["bestScore"]), (0.4, 0.8, 0.8))
        self.assertEqual((stored["samplesEvaluated"], stored["samplesSuccessful"], stored["samplesFailed"]), (3, 2, 1))
        self.assertIsNotNone(stored["endedAt"])

    def test_exception_marks_the_run_failed_and_propagates(self):
        with self.assertRaises(RuntimeError):
            with self.client.run("logger fails", "miprov2", tags=[self.tag]) as run:
                run.log_iteration(0, score=0.4)
                raise RuntimeError("the LM provider is down")
        stored = self.client.get_run(run.id)
        self.assertEqual(stored["status"], "failed")
        self.assertEqual(stored["errorMessage"], "RuntimeError: the LM provider is down")
        self.assertIsNotNone(stored["endedAt"])

    def test_attach_to_an_existing_run_and_finish_explicitly(self):
        created = self.new_run("attach")
        with self.client.run(run_id=created["id"]) as run:
            self.assertEqual(run.run["status"], "running")
            run.log_iteration(0, score=0.2)
            run.finish("cancelled", error_message="stopped by hand")
        stored = self.client.get_run(created["id"])
        self.assertEqual((stored["status"], stored["errorMessage"]), ("cancelled", "stopped by hand"))


class ProjectViewsTest(LiveTestCase):
    def test_leaderboard_analytics_projects(self):
        low = self.new_run("low", tags=[self.tag], optimizer_type="copro")
        high = self.new_run("high", tags=[self.tag], optimizer_type="copro")
        self.client.finish_run(low["id"], final_score=0.2, initial_score=0.1)
        self.client.finish_run(high["id"], final_score=0.95, initial_score=0.1)
        board = self.client.leaderboard(tag=self.tag)
        self.assertEqual([r["id"] for r in board], [high["id"], low["id"]])
        self.assertEqual(board[0]["finalScore"], 0.95)
        self.assertEqual([r["id"] for r in self.client.leaderboard(tag=self.tag, limit=1)], [high["id"]])
        top = self.client.leaderboard(limit=100)
        self.assertIn(high["id"], [r["id"] for r in top])
        self.assertTrue(all(r["status"] == "completed" for r in top))
        analytics = self.client.analytics()
        self.assertIn("rows", analytics)
        self.assertIn("lastRefreshedAt", analytics)
        self.assertIsInstance(analytics["rows"], list)
        projects = self.client.projects()
        self.assertEqual(len(projects), 1)
        self.assertEqual(projects[0]["id"], high["projectId"])


class ExampleScriptTest(LiveTestCase):
    def test_log_miprov2_run_end_to_end(self):
        """The example runs a real MIPROv2 compile (offline LM) and logs it."""
        script = os.path.join(CLIENT_DIR, "examples", "log_miprov2_run.py")
        result = subprocess.run(
            [sys.executable, script, "--url", URL, "--api-key", API_KEY, "--trials", "4", "--tag", self.tag, "--seed", "7"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        match = re.search(r"/runs/([0-9a-f-]{36})", result.stdout)
        self.assertTrue(match, result.stdout)
        run_id = match.group(1)
        self.assertIn(f"{URL}/runs/{run_id}", result.stdout)
        self.assertIn(", 0 failed", result.stderr)

        run = self.client.get_run(run_id)
        self.assertEqual(run["status"], "completed")
        self.assertEqual(run["optimizerType"], "miprov2")
        self.assertEqual(run["config"]["compile"]["num_trials"], 4)
        self.assertEqual(run["config"]["miprov2"]["num_candidates"], 4)
        self.assertIn(self.tag, run["tags"])
        self.assertIsNotNone(run["initialScore"])
        self.assertIsNotNone(run["finalScore"])
        self.assertGreater(run["samplesEvaluated"], 0)
        self.assertEqual(run["samplesEvaluated"], run["samplesSuccessful"] + run["samplesFailed"])
        self.assertEqual([r["id"] for r in self.client.iter_runs(tags=[self.tag], config={"compile.num_trials": 4})], [run_id])

        iterations = self.client.list_iterations(run_id)
        # the default program's full evaluation, 4 minibatch trials and the full evaluations between them
        self.assertGreater(len(iterations), 5)
        self.assertEqual([i["iteration"] for i in iterations], list(range(len(iterations))))
        self.assertTrue(all("chosen" in i["params"] for i in iterations))
        self.assertTrue(all({"signature", "demos"} <= set(i["programState"]) for i in iterations))
        samples = list(self.client.iter_samples(run_id))
        self.assertEqual(len(samples), run["samplesEvaluated"])
        self.assertEqual(len(samples), sum(i["samplesEvaluated"] for i in iterations))


class StdlibInstallTest(unittest.TestCase):
    def test_the_client_needs_nothing_and_the_dspy_integration_names_its_extra(self):
        # without DSPy (as after `pip install ./clients/python`): the client imports, and
        # optiscope.dspy says which install brings DSPy instead of a bare "No module named dspy"
        code = (
            "import sys; sys.modules['dspy'] = None\n"
            "import optiscope; optiscope.Optiscope('http://127.0.0.1:9', 'osk_x')\n"
            "try:\n    import optiscope.dspy\nexcept ModuleNotFoundError as e:\n    print(e.name, '|', e)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], cwd=CLIENT_DIR, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('dspy | optiscope.dspy needs DSPy', out.stdout)
        self.assertIn('pip install "./clients/python[dspy]"', out.stdout)


if __name__ == "__main__":
    unittest.main()
