"""Load generators: wrk (Debian's package) with a Lua script that cycles through a list of
requests, or — when wrk is missing — a bounded Python client. Both only ever talk to
127.0.0.1, run for a fixed time, and report throughput and latency percentiles.
"""

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
# The Python client stops after this many requests whatever the duration.
MAX_PYTHON_REQUESTS = 200_000


@dataclass(frozen=True)
class Request:
    path: str
    cookie: str | None = None  # the Cookie header


@dataclass
class Sample:
    """One timed run of a request list against one server."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    details: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 3),
                "rps": round(self.rps, 1), "errors": self.errors, "p50_ms": round(self.p50_ms, 2),
                "p90_ms": round(self.p90_ms, 2), "p99_ms": round(self.p99_ms, 2), **self.details}


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str | None:
    path = wrk_path()
    if not path:
        return None
    result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


LUA = """
local targets = {
%s
}
local i = 0
request = function()
  i = i %% #targets + 1
  local t = targets[i]
  local headers = {}
  if t[2] then headers["Cookie"] = t[2] end
  return wrk.format("GET", t[1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


class Wrk:
    name = "wrk"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.scripts: dict[tuple, Path] = {}

    def script(self, requests: tuple[Request, ...]) -> Path:
        if requests not in self.scripts:
            rows = ",\n".join(
                f"  {{{_lua_string(r.path)}, "
                f"{_lua_string(r.cookie) if r.cookie else 'nil'}}}"
                for r in requests)
            handle, name = tempfile.mkstemp(suffix=".lua", dir=self.workdir)
            with open(handle, "w") as f:
                f.write(LUA % rows)
            self.scripts[requests] = Path(name)
        return self.scripts[requests]

    def run(self, port: int, requests: tuple[Request, ...], seconds: float,
            concurrency: int) -> Sample:
        command = [wrk_path(), "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", str(self.script(requests)),
                   f"http://{HOST}:{port}"]
        result = subprocess.run(command, capture_output=True, text=True,
                                timeout=seconds + 60)
        line = next((x for x in result.stdout.splitlines() if x.startswith("WRKJSON ")), None)
        if result.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr.strip()}")
        data = json.loads(line.removeprefix("WRKJSON "))
        errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
        return Sample(requests=data["requests"], seconds=data["duration_us"] / 1e6,
                      errors=errors, p50_ms=data["p50"] / 1000, p90_ms=data["p90"] / 1000,
                      p99_ms=data["p99"] / 1000,
                      details={"status_errors": data["status"], "max_ms": data["max"] / 1000})


class PythonClient:
    """``concurrency`` threads, one request at a time each, for ``seconds`` (and at most
    MAX_PYTHON_REQUESTS requests). Slower than wrk and sharing the GIL: use wrk for figures
    you mean to compare with other machines."""

    name = "python"

    def __init__(self, workdir: Path):
        pass

    def run(self, port: int, requests: tuple[Request, ...], seconds: float,
            concurrency: int) -> Sample:
        latencies: list[float] = []
        errors = [0]
        counter = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def worker(offset):
            i = offset
            while time.perf_counter() < deadline:
                with lock:
                    if counter[0] >= MAX_PYTHON_REQUESTS:
                        return
                    counter[0] += 1
                r = requests[i % len(requests)]
                i += 1
                headers = {"Cookie": r.cookie} if r.cookie else {}
                start = time.perf_counter()
                try:
                    connection = http.client.HTTPConnection(HOST, port, timeout=10)
                    connection.request("GET", r.path, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    connection.close()
                    ok = 200 <= response.status < 400
                except OSError:
                    ok = False
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors[0] += 1

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 30)
        elapsed = time.perf_counter() - started
        ms = sorted(x * 1000 for x in latencies) or [0.0]

        def pct(p):
            return ms[min(len(ms) - 1, int(p / 100 * len(ms)))]

        return Sample(requests=len(latencies), seconds=elapsed, errors=errors[0],
                      p50_ms=pct(50), p90_ms=pct(90), p99_ms=pct(99),
                      details={"max_ms": ms[-1], "mean_ms": statistics.fmean(ms)})


def client(kind: str, workdir: Path):
    """``wrk``, ``python`` or ``auto`` (wrk when installed)."""
    if kind == "wrk" or (kind == "auto" and wrk_path()):
        if not wrk_path():
            raise SystemExit("wrk is not installed (apt-get install -y wrk), or use "
                             "--client python")
        return Wrk(workdir)
    return PythonClient(workdir)
