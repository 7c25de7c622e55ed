#!/usr/bin/env python3
# Dockerfile.production, docker-compose.production.yml and deploy/k8s
# checked without a container engine: every variable they set is read by
# the program (and accepted with that value), paths, port, user and probe
# routes agree with each other and with the server, the image installs the
# Debian packages of every library the build links, and the server runs
# with the container's settings on a read-only root file system as uid 1000
# (emulated with a private mount namespace), writing only under the data
# directory and /tmp.
import glob
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import unittest

import yaml

from deploylib import (BUILD, DEPLOY, EXE, FOREIGN_ENV, ROOT, SETTINGS_SOURCE_ENV, clean_env,
                       config_show, free_port, get, schema_default, server_flags, stop, wait_http)


def read_dockerfile():
    """Instructions of the final stage: [(INSTRUCTION, argument text)]."""
    with open(os.path.join(DEPLOY, "Dockerfile.production")) as f:
        text = re.sub(r"\\\n", " ", f.read())
    stages, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            current = []
            stages.append(current)
        current.append((word.upper(), rest.strip()))
    return stages


def dockerfile_env(final):
    env = {}
    for instr, rest in final:
        if instr == "ENV":
            for item in shlex.split(rest):
                k, _, v = item.partition("=")
                env[k] = v
    return env


def one(final, instr):
    (value,) = [rest for i, rest in final if i == instr]
    return value


def load_yaml(path):
    with open(path) as f:
        return list(yaml.safe_load_all(f))


def k8s_objects():
    objs = {}
    for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
        for doc in load_yaml(path):
            objs[(doc["kind"], doc["metadata"]["name"]) if "metadata" in doc else doc["kind"]] = doc
    return objs


def k8s_container_env(container, objs):
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = item["value"]
        else:
            ref = item["valueFrom"]["configMapKeyRef"]
            env[item["name"]] = objs[("ConfigMap", ref["name"])]["data"][ref["key"]]
    return env


class Files(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stages = read_dockerfile()
        cls.final = cls.stages[-1]
        cls.docker_env = dockerfile_env(cls.final)
        (cls.compose,) = load_yaml(os.path.join(DEPLOY, "docker-compose.production.yml"))
        cls.service = cls.compose["services"]["videoannotator"]
        cls.compose_env = cls.service["environment"]
        cls.k8s = k8s_objects()
        cls.deployment = cls.k8s[("Deployment", "videoannotator")]
        cls.pod = cls.deployment["spec"]["template"]["spec"]
        (cls.container,) = cls.pod["containers"]
        cls.k8s_env = k8s_container_env(cls.container, cls.k8s)
        cls.port = schema_default("port")
        cls.data_dir = cls.docker_env["VIDEOANNOTATOR_DATA_DIR"]

    def check_env_read(self, env, what):
        """Each variable is one the program reads, and it accepts the value."""
        settings_env = {k: v for k, v in env.items() if k not in FOREIGN_ENV}
        run_env = clean_env(**{k: str(v) for k, v in settings_env.items()})
        run_env.pop("GSETTINGS_BACKEND", None)
        run_env["VIDEOANNOTATOR_DATA_DIR"] = tempfile.mkdtemp(prefix="va-deploy-env-")
        try:
            shown = config_show(run_env)
        finally:
            shutil.rmtree(run_env["VIDEOANNOTATOR_DATA_DIR"])
        origins = {s.get("origin") for s in shown["settings"].values()}
        for name in settings_env:
            if name in SETTINGS_SOURCE_ENV:
                continue
            self.assertIn(name, origins, f"{what}: {name} is not read by videoannotator")
        if "VIDEOANNOTATOR_SETTINGS_BACKEND" in settings_env:
            self.assertEqual(shown["backend"], settings_env["VIDEOANNOTATOR_SETTINGS_BACKEND"])
        return shown["settings"]

    def test_dockerfile_env(self):
        s = self.check_env_read(self.docker_env, "Dockerfile")
        self.assertEqual(s["port"]["value"], self.port)
        self.assertTrue(s["auth-required"]["value"])
        self.assertFalse(s["debug"]["value"])

    def test_compose_env(self):
        s = self.check_env_read(self.compose_env, "compose")
        self.assertEqual(s["port"]["value"], self.port)
        self.assertNotIn("*", s["cors-origins"]["value"])
        self.assertFalse(s["auto-generate-api-key"]["value"])

    def test_k8s_env(self):
        s = self.check_env_read(self.k8s_env, "k8s")
        self.assertEqual(s["port"]["value"], self.port)
        self.assertNotIn("*", s["cors-origins"]["value"])
        self.assertGreaterEqual(len(s["cors-origins"]["value"]), 2)  # comma list split

    def test_entrypoint_and_commands(self):
        entry = shlex.split(one(self.final, "ENTRYPOINT").replace('"', "'").strip("[]").replace(",", " "))
        self.assertEqual(entry, ["/usr/bin/videoannotator"])
        cmd = self.service["command"]
        self.assertEqual(cmd[0], "server")
        self.assertEqual(self.container["args"][0], "server")
        known = server_flags()
        for arg in cmd[1:] + self.container["args"][1:]:
            self.assertIn(arg.split("=", 1)[0], known)
        # the init container runs install(1) from the image on the token files
        (init,) = self.pod["initContainers"]
        self.assertEqual(init["image"], self.container["image"])
        self.assertEqual(init["command"][0], "/usr/bin/install")

    def test_user_1000(self):
        self.assertEqual(one(self.final, "USER"), "1000:1000")
        self.assertEqual(self.service["user"], "1000:1000")
        sc = self.pod["securityContext"]
        self.assertEqual((sc["runAsUser"], sc["runAsGroup"], sc["runAsNonRoot"]), (1000, 1000, True))

    def test_port_and_health(self):
        self.assertEqual(one(self.final, "EXPOSE"), str(self.port))
        health = one(self.final, "HEALTHCHECK")
        self.assertIn(f"http://127.0.0.1:{self.port}/health", health)
        self.assertEqual(self.service["ports"], [f"127.0.0.1:{self.port}:{self.port}"])
        (p,) = self.container["ports"]
        self.assertEqual(p["containerPort"], self.port)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            self.assertEqual(self.container[probe]["httpGet"]["port"], p["name"])
        svc = self.k8s[("Service", "videoannotator")]
        self.assertEqual(svc["spec"]["ports"][0]["targetPort"], p["name"])
        self.assertEqual(svc["spec"]["selector"], self.deployment["spec"]["selector"]["matchLabels"])

    def test_paths(self):
        volume = one(self.final, "VOLUME")
        self.assertIn(f'"{self.data_dir}"', volume)
        mounts = {m.split(":")[1]: m.split(":")[2] for m in self.service["volumes"]}
        self.assertEqual(mounts[self.compose_env["VIDEOANNOTATOR_DATA_DIR"]], "rw")
        self.assertEqual(mounts[self.compose_env["VIDEOANNOTATOR_TOKEN_DIR"]], "ro")
        k8s_mounts = {m["mountPath"]: m for m in self.container["volumeMounts"]}
        self.assertIn(self.k8s_env["VIDEOANNOTATOR_DATA_DIR"], k8s_mounts)
        self.assertTrue(k8s_mounts[self.k8s_env["VIDEOANNOTATOR_TOKEN_DIR"]]["readOnly"])
        for env in (self.compose_env, self.k8s_env):
            self.assertEqual(env["VIDEOANNOTATOR_DATA_DIR"], self.data_dir)
            self.assertTrue(env["VIDEOANNOTATOR_STORAGE_DIR"].startswith(self.data_dir + "/"))
        # what the init container writes is what the server reads
        (init,) = self.pod["initContainers"]
        self.assertEqual(init["command"][-1].rstrip("/"), self.k8s_env["VIDEOANNOTATOR_TOKEN_DIR"])
        self.assertEqual({os.path.basename(a) for a in init["command"][3:-1]},
                         {"tokens.json", "encryption.key"})

    def test_read_only_root(self):
        self.assertTrue(self.service["read_only"])
        self.assertIn("/tmp", self.service["tmpfs"])
        self.assertIn("no-new-privileges:true", self.service["security_opt"])
        for c in [self.container] + self.pod["initContainers"]:
            sc = c["securityContext"]
            self.assertTrue(sc["readOnlyRootFilesystem"])
            self.assertFalse(sc["allowPrivilegeEscalation"])
            self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertIn("/tmp", [m["mountPath"] for m in self.container["volumeMounts"]])
        # every writable place the image names is the data dir or /tmp
        for name in FOREIGN_ENV:
            value = self.docker_env[name]
            self.assertTrue(value.startswith("/tmp/") or value == self.data_dir, name)

    def test_single_replica(self):
        spec = self.deployment["spec"]
        self.assertEqual(spec["replicas"], 1)
        self.assertEqual(spec["strategy"]["type"], "Recreate")
        pvc = self.k8s[("PersistentVolumeClaim", "videoannotator-data")]
        self.assertEqual(pvc["spec"]["accessModes"], ["ReadWriteOnce"])
        claims = [v["persistentVolumeClaim"]["claimName"] for v in self.pod["volumes"]
                  if "persistentVolumeClaim" in v]
        self.assertEqual(claims, ["videoannotator-data"])
        secrets = [v["secret"]["secretName"] for v in self.pod["volumes"] if "secret" in v]
        self.assertEqual(secrets, [k[1] for k in self.k8s if k[0] == "Secret"])

    def test_runtime_packages(self):
        """The image installs the package of every shared library the
        binary and the plugins link (directly or as a dependency)."""
        run = [rest for i, rest in self.final if i == "RUN" and "apt-get install" in rest][0]
        words = run.split("apt-get install", 1)[1].split("&&")[0].split()
        packages = [w for w in words if not w.startswith("-")]
        r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends",
                            "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces",
                            "--no-enhances", "--no-pre-depends"] + packages,
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.skipTest(f"apt-cache has no package lists (apt-get update): {r.stderr}")
        available = {l.strip() for l in r.stdout.splitlines() if not l.startswith(" ")}
        available |= {l.split(":", 1)[1].strip() for l in r.stdout.splitlines()
                      if "Depends:" in l}
        for p in packages:
            self.assertIn(p, available, f"{p} is not a Debian 12 package")
        objects = [EXE] + glob.glob(os.path.join(BUILD, "plugins", "annotate", "*.so"))
        ldd = subprocess.run(["ldd"] + objects, capture_output=True, text=True).stdout
        libs = {m for m in re.findall(r"=> (/\S+)", ldd) if not m.startswith(BUILD)}
        # one dpkg -S for all (it reads its whole database each time); a
        # library found through the /lib symlink is owned under /usr/lib
        paths = sorted(libs | {os.path.realpath(l) for l in libs})
        r = subprocess.run(["dpkg", "-S"] + paths, capture_output=True, text=True)
        owners = {}
        for line in r.stdout.splitlines():
            pkgs, _, path = line.partition(": ")
            owners[path] = pkgs.split(",")[0].split(":")[0].strip()
        for lib in sorted(libs):
            owner = owners.get(lib) or owners.get(os.path.realpath(lib))
            self.assertIsNotNone(owner, f"{lib}: no package owns it")
            self.assertIn(owner, available, f"{lib} ({owner}) is not installed in the image")


READ_ONLY_SCRIPT = r"""
set -eu
# every mount of this private namespace read-only, like --read-only
awk '{print $2}' /proc/self/mounts | sort -u | while read -r m; do
  mount -o remount,bind,ro "$m" 2>/dev/null || true
done
# a build tree under /tmp (a clone there) stays visible through the tmpfs
case "$VA_BUILD_TREE" in
  /tmp/*) mount --bind "$VA_BUILD_TREE" /srv ;;
esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
case "$VA_BUILD_TREE" in
  /tmp/*) mkdir -p "$VA_BUILD_TREE" && mount --bind /srv "$VA_BUILD_TREE" ;;
esac
mount -t tmpfs -o uid=1000,gid=1000,mode=0750 tmpfs "$VA_DATA_MOUNT"
touch /probe 2>/dev/null && { echo "root is writable" >&2; exit 3; }
exec setpriv --reuid=1000 --regid=1000 --clear-groups "$@"
"""


class ReadOnlyRoot(unittest.TestCase):
    """The server with the image's environment, as uid 1000, with every
    mount read-only except a tmpfs on /tmp and one on the data directory
    (the volume). /mnt stands for /var/lib/videoannotator, which does not
    exist on this machine."""

    def test_serves_and_writes_only_data_and_tmp(self):
        if not ROOT or subprocess.run(["unshare", "-m", "true"]).returncode != 0:
            self.skipTest("needs root and unshare -m for a private read-only mount namespace")
        if not os.access(EXE, os.X_OK) or os.stat(BUILD).st_mode & 0o005 != 0o005:
            self.skipTest("the build tree is not readable by uid 1000")
        final = read_dockerfile()[-1]
        env = clean_env(**dockerfile_env(final))
        env.pop("GSETTINGS_BACKEND", None)
        data = "/mnt"
        env.update(VIDEOANNOTATOR_DATA_DIR=data, HOME=data, VA_DATA_MOUNT=data,
                   VA_BUILD_TREE=os.path.realpath(BUILD))
        port = free_port()
        env["VIDEOANNOTATOR_PORT"] = str(port)
        script = READ_ONLY_SCRIPT + "\n"
        proc = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", EXE,
             "server", "--auto-generate-api-key=false"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            status, _ = wait_http(f"http://127.0.0.1:{port}/health", proc, timeout=60)
            self.assertEqual(status, 200)
            status, _, body = get(f"http://127.0.0.1:{port}/api/v1/health?detailed=true")
            self.assertEqual(status, 200, body)
            # the same namespace's files: through /proc of the server
            root = f"/proc/{proc.pid}/root"
            listing = subprocess.run(["find", root + data, "-maxdepth", "2"],
                                     capture_output=True, text=True).stdout
        finally:
            out, err = stop(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertNotIn("Read-only file system", err)
        for name in ("videoannotator.db", "storage", "logs"):
            self.assertIn(f"{data}/{name}", listing.replace(f"/proc/{proc.pid}/root", ""), listing)


if __name__ == "__main__":
    unittest.main()
