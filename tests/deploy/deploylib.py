# Helpers shared by the deploy tests: where things are, the program's own
# list of flags and settings, and a server started from a command line.
import json
import os
import re
import socket
import subprocess
import time
import urllib.request

SOURCE = os.environ["VA_SOURCE_ROOT"]
BUILD = os.environ["VA_BUILD_ROOT"]
EXE = os.path.join(BUILD, "src", "cli", "videoannotator")
DEPLOY = os.path.join(SOURCE, "deploy")
ROOT = os.geteuid() == 0

# Variables the deploy files set that are not VideoAnnotator settings.
FOREIGN_ENV = {"GST_REGISTRY", "XDG_CACHE_HOME", "HOME"}
# Not schema keys, but read by the program (docs/configuration.md).
SETTINGS_SOURCE_ENV = {"VIDEOANNOTATOR_SETTINGS_BACKEND", "VIDEOANNOTATOR_CONFIG_FILE"}


def clean_env(**extra):
    """The test environment without anything that picks settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VIDEOANNOTATOR_") and k not in (
               "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "AUTH_REQUIRED", "CORS_ORIGINS",
               "DEBUG", "LOG_LEVEL", "LOG_DIR", "TOKEN_DIR", "API_PORT", "API_HOST")}
    env.update(extra)
    return env


def server_flags():
    """Long flags that `videoannotator server --help` lists."""
    out = subprocess.run([EXE, "server", "--help"], capture_output=True, text=True,
                         env=clean_env(), check=True).stdout
    return set(re.findall(r"^\s+(--[a-z0-9-]+)", out, re.M))


def config_show(env, *args):
    """`config show --json` under env: what the program made of it."""
    r = subprocess.run([EXE, "config", "show", "--json", *args], capture_output=True, text=True,
                       env=env)
    if r.returncode != 0:
        raise AssertionError(f"config show refused the settings: {r.stderr}")
    return json.loads(r.stdout)


def schema_default(key):
    return config_show(clean_env(GSETTINGS_BACKEND="memory"))["settings"][key]["value"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, proc, timeout=30):
    """Waits until url answers; returns (status, body)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}): {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"no answer from {url}")


def get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def stop(proc):
    proc.terminate()
    try:
        return proc.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()
