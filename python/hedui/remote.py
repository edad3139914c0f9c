"""`--data`, `--policies` and `--out` anywhere pyarrow's file systems reach
(local, S3, GCS, HDFS), on a cluster whose executors share no disk.

hedui's native code reads local paths. A plain path (or a `file://` URI)
is read and written in place, exactly as before. A remote input directory
is read through a **mirror** on each worker's local disk: the driver lists
the remote tree once; a mirror holds every listed entry at its relative
path and size, the roster's and registers' files whole (every worker's
context reads them), every other file as a sparse file holding only its
last bytes (a Parquet footer: hedui's loader finds, orders and checks the
datasets from footers alone), and a task fetches whole the one extract
file it reads. Discovery, file order and `row_index` are hedui's loader's,
on the same names and sizes as the remote tree.

Outputs are written through the file system under a staging directory
beside `--out`, then published: renamed into place where the file system
renames (local, HDFS), copied into place with `run.json` written last
elsewhere (object stores). See docs/DISTRIBUTED.md, "Remote paths".

No path or message here ever holds a row's value: only file names.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import struct
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.fs as pafs

# A Parquet file ends in its footer, its length (4 bytes) and `PAR1`. This
# much of a file's end is read at once, which holds most footers.
TAIL = 64 * 1024
# Concurrent requests when listing, reading footers, fetching and copying:
# object stores answer each in tens of milliseconds.
THREADS = 8


class BadPath(Exception):
    """A path the job cannot read or write (exit code 2, before any Spark
    stage); the message names the option and the path."""


def is_uri(path: str) -> bool:
    return "://" in path


def first_line(e: BaseException) -> str:
    # libhdfs's failures run to a page of dlopen attempts.
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


_FILE_SYSTEMS: dict = {}


def file_system(uri: str, what: str):
    """The file system of `uri` and the path in it, opened once per process.
    Credentials and endpoints come from the process's environment (for S3:
    `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT_URL`, …),
    never from a task's closure."""
    if not is_uri(uri):
        return pafs.LocalFileSystem(), os.path.abspath(uri)
    if uri not in _FILE_SYSTEMS:
        try:
            _FILE_SYSTEMS[uri] = pafs.FileSystem.from_uri(uri)
        except (pa.ArrowException, OSError, ValueError) as e:
            raise BadPath(f"{what} {uri}: cannot open it: {first_line(e)}") from None
    return _FILE_SYSTEMS[uri]


def _is_local(fs) -> bool:
    return fs.type_name == "local"


def _join(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}" if rel else root


class Tree:
    """A remote input directory as the driver listed it: what a mirror of it
    holds. `entries` are (relative path, size; None for a directory),
    parents first; `whole` the files every mirror holds whole; `tails` the
    last bytes of the others. `entries` is None when the directory does not
    exist: the mirror is then absent too, and hedui says so."""

    def __init__(self, uri: str, what: str, entries, whole: set, tails: dict):
        self.uri = uri.rstrip("/")
        self.what = what
        self.entries = entries
        self.whole = whole
        self.tails = tails

    def remote(self, rel: str) -> str:
        return _join(self.uri, rel)


def _list(fs, root: str, uri: str, what: str, recursive_into) -> list | None:
    """(relative path, size or None) of the children of `root` that
    `recursive_into(name)` accepts (not None), and of everything under
    those it says True for."""
    try:
        if fs.get_file_info(root).type != pafs.FileType.Directory:
            return None
        children = fs.get_file_info(pafs.FileSelector(root))
        picked = [c for c in children if recursive_into(c.base_name) is not None]
        under = [c for c in picked if c.type == pafs.FileType.Directory and recursive_into(c.base_name)]
        with ThreadPoolExecutor(THREADS) as pool:
            nested = list(pool.map(lambda d: fs.get_file_info(pafs.FileSelector(d.path, recursive=True)), under))
    except OSError as e:
        raise BadPath(f"{what} {uri}: cannot list it: {first_line(e)}") from None
    found = [(c.base_name, c) for c in picked]
    # Paths relative to the listed directory, from the paths the file
    # system returned for it (however it spells them).
    for d, infos in zip(under, nested):
        found += [(f"{d.base_name}/{i.path[len(d.path):].lstrip('/')}", i) for i in infos]
    entries = []
    for rel, info in found:
        if info.type == pafs.FileType.Directory:
            entries.append((rel, None))
        elif info.type == pafs.FileType.File:
            entries.append((rel, info.size))
    # Parents before children, so a mirror can be made in this order.
    return sorted(entries, key=lambda e: (e[0].count("/"), e[0]))


def _tail(fs, path: str, size: int) -> bytes:
    """The end of a file that hedui's loader reads to find and check a
    dataset: its Parquet footer (with its length and `PAR1`); for a file
    that has none, its last TAIL bytes, so the loader meets what is there."""
    with fs.open_input_file(path) as f:
        n = min(size, TAIL)
        tail = f.read_at(n, size - n)
        if len(tail) >= 8 and tail[-4:] == b"PAR1":
            need = struct.unpack("<I", tail[-8:-4])[0] + 8
            if need <= len(tail):
                return tail[-need:]
            if need <= size:
                return f.read_at(need, size - need)
        return tail


def list_data(uri: str, datasets, read_whole) -> Tree:
    """The driver's listing of a remote data directory: the entries named
    after a dataset (`NAME.parquet`, `NAME/` and all under it; anything
    else in the directory is no input), each file's footer."""
    fs, root = file_system(uri, "--data")
    names = {n: True for n in datasets} | {f"{n}.parquet": False for n in datasets}
    entries = _list(fs, root, uri, "--data", names.get)
    if entries is None:
        return Tree(uri, "--data", None, set(), {})
    whole = {
        rel
        for rel, size in entries
        if size is not None and rel.split("/")[0].removesuffix(".parquet") in read_whole
    }
    others = [(rel, size) for rel, size in entries if size is not None and rel not in whole]
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            tails = dict(zip((r for r, _ in others), pool.map(lambda e: _tail(fs, _join(root, e[0]), e[1]), others)))
    except OSError as e:
        raise BadPath(f"--data {uri}: cannot read it: {first_line(e)}") from None
    # A file as short as its tail is whole already.
    whole |= {rel for rel, size in others if len(tails[rel]) == size}
    return Tree(uri, "--data", entries, whole, {r: t for r, t in tails.items() if r not in whole})


def list_policies(uri: str) -> Tree:
    """The driver's listing of a remote policies directory: its files
    (hedui reads the `*.toml` among them; all are small), whole."""
    fs, root = file_system(uri, "--policies")
    entries = _list(fs, root, uri, "--policies", lambda _name: False)
    if entries is None:
        return Tree(uri, "--policies", None, set(), {})
    return Tree(uri, "--policies", entries, {r for r, s in entries if s is not None}, {})


@contextlib.contextmanager
def _locked(path: str):
    """An exclusive lock between the worker processes of one node."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+b") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _place(local: str, tmp_dir: str, write) -> None:
    """`write(path)` to a temporary file, then renamed to `local`: a
    process reading the mirror sees the old file or the new one, never
    half of one."""
    os.makedirs(tmp_dir, exist_ok=True)
    tmp = os.path.join(tmp_dir, uuid.uuid4().hex)
    try:
        write(tmp)
        os.replace(tmp, local)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _fetch(tree: Tree, rel: str, size: int, local: str, tmp_dir: str) -> None:
    fs, root = file_system(tree.uri, tree.what)

    def write(tmp):
        pafs.copy_files(_join(root, rel), tmp, source_filesystem=fs,
                        destination_filesystem=pafs.LocalFileSystem(), use_threads=False)
        got = os.path.getsize(tmp)
        if got != size:
            raise RuntimeError(
                f"{tree.what} {tree.remote(rel)} changed during the run: {got} bytes, {size} when listed"
            )

    _place(local, tmp_dir, write)


def _sparse(size: int, tail: bytes):
    def write(tmp):
        with open(tmp, "wb") as f:
            f.truncate(size)
            f.seek(size - len(tail))
            f.write(tail)

    return write


def make_mirror(tree: Tree, at: str) -> str:
    """The mirror of `tree` at local path `at`, made once per node (the
    first process makes it, the others wait on its lock): directories,
    whole files, and the other files sparse with their tails."""
    ready = at + ".ready"
    if os.path.exists(ready):
        return at
    with _locked(at + ".lock"):
        if os.path.exists(ready):
            return at
        if tree.entries is not None:
            os.makedirs(at, exist_ok=True)
            files = []
            for rel, size in tree.entries:
                local = os.path.join(at, rel)
                if size is None:
                    os.makedirs(local, exist_ok=True)
                elif rel in tree.whole:
                    files.append((rel, size, local))
                else:
                    _place(local, at + ".tmp", _sparse(size, tree.tails[rel]))
            with ThreadPoolExecutor(THREADS) as pool:
                list(pool.map(lambda f: _fetch(tree, *f, at + ".tmp"), files))
        open(ready, "wb").close()
    return at


def fetch_whole(tree: Tree, at: str, rel: str) -> None:
    """File `rel` of a mirror made whole (once per node): its sparse stand-in
    is replaced by the remote bytes."""
    if rel in tree.whole:
        return
    key = hashlib.sha256(rel.encode()).hexdigest()
    done = os.path.join(at + ".whole", key)
    if os.path.exists(done):
        return
    with _locked(os.path.join(at + ".locks", key)):
        if os.path.exists(done):
            return
        size = dict(tree.entries)[rel]
        _fetch(tree, rel, size, os.path.join(at, rel), at + ".tmp")
        os.makedirs(os.path.dirname(done), exist_ok=True)
        open(done, "wb").close()


def worker_cache(run_id: str) -> str:
    """Where a worker keeps its mirrors: under Spark's local directory for
    its executor (`SPARK_LOCAL_DIRS`, which Spark sets for its Python
    workers and deletes with the executor or the application), so no copy
    of the inputs outlives the run; else the system's temporary directory."""
    local = os.environ.get("SPARK_LOCAL_DIRS", "").split(",")[0] or tempfile.gettempdir()
    return os.path.join(local, f"hedui-{run_id}")


class Inputs:
    """`--data` and `--policies`: local paths, read in place, or remote
    trees read through mirrors. Made on the driver (listing the trees);
    pickled into the tasks, which call `local()`."""

    def __init__(self, data: str, policies: str, datasets, read_whole):
        self.run_id = uuid.uuid4().hex
        self.data_uri = data if is_uri(data) else os.path.abspath(data)
        self.policies_uri = policies if is_uri(policies) else os.path.abspath(policies)
        self.data = self._tree(data, "--data", lambda u: list_data(u, datasets, read_whole))
        self.policies = self._tree(policies, "--policies", list_policies)
        # (dataset, file number) → path relative to the data directory,
        # as hedui's loader ordered the files (set from the plan).
        self.files: dict = {}

    @staticmethod
    def _tree(path: str, what: str, listing):
        if not is_uri(path):
            return None
        fs, _ = file_system(path, what)
        # file:// is a local path: read in place.
        return None if _is_local(fs) else listing(path)

    def local_path(self, which: str) -> str:
        """The local path of a local input (`data` or `policies`)."""
        uri = getattr(self, f"{which}_uri")
        return file_system(uri, f"--{which}")[1]

    @contextlib.contextmanager
    def on_driver(self):
        """(data, policies) for the driver's plan: the local paths, or
        mirrors in a temporary directory removed on leaving. The driver
        keeps what it read (its context) and needs no file afterwards; the
        tasks make their own mirrors."""
        tmp = tempfile.mkdtemp(prefix="hedui-inputs-") if self.data or self.policies else None
        try:
            paths = []
            for which, tree in (("data", self.data), ("policies", self.policies)):
                if tree is None:
                    paths.append(self.local_path(which))
                    continue
                try:
                    paths.append(make_mirror(tree, os.path.join(tmp, which)))
                except (OSError, RuntimeError) as e:
                    raise BadPath(f"{tree.what} {tree.uri}: cannot read it: {first_line(e)}") from None
            yield tuple(paths)
        finally:
            if tmp:
                shutil.rmtree(tmp, ignore_errors=True)

    def local(self, need=None) -> tuple[str, str]:
        """(data, policies) as a task reads them; `need`, a (dataset, file
        number), is made whole in the data mirror first."""
        paths = []
        for which, tree in (("data", self.data), ("policies", self.policies)):
            if tree is None:
                paths.append(self.local_path(which))
                continue
            at = make_mirror(tree, os.path.join(worker_cache(self.run_id), which))
            if which == "data" and need is not None:
                fetch_whole(tree, at, self.files[need])
            paths.append(at)
        return paths[0], paths[1]

    def named(self, message: str, local: tuple[str, str]) -> str:
        """A message of hedui's about mirror paths, naming the remote ones."""
        for path, tree in zip(local, (self.data, self.policies)):
            if tree is not None:
                message = message.replace(path, tree.uri)
        return message


class Output:
    """`--out`: a directory on any file system. Tasks write their parts
    under `<out>.spark-staging`; `publish` puts the run in place."""

    def __init__(self, out: str):
        self.uri = out if is_uri(out) else os.path.abspath(out)
        fs, path = file_system(out, "--out")
        self.path = path.rstrip("/")
        self.staging = self.path + ".spark-staging"
        # Local and HDFS directories rename atomically; object stores have
        # no rename, only copies of single objects.
        self.renames = fs.type_name in ("local", "hdfs")
        if not self.renames and "/" not in self.path.strip("/"):
            raise BadPath(f"--out {out}: name a directory inside the bucket (e.g. {out.rstrip('/')}/2024-10)")

    @property
    def fs(self):
        return file_system(self.uri, "--out")[0]

    def prepare(self) -> None:
        """An empty staging directory (a failed run's removed), before any
        Spark stage: an unwritable `--out` fails here."""
        try:
            if self.fs.get_file_info(self.staging).type != pafs.FileType.NotFound:
                self.fs.delete_dir(self.staging)
            self.fs.create_dir(self.staging, recursive=True)
        except OSError as e:
            staging = self.uri.rstrip("/") + ".spark-staging"
            raise BadPath(f"--out {self.uri}: cannot write {staging}: {first_line(e)}") from None

    def write(self, name: str, payload: bytes) -> None:
        """File `name` (`table/part-….parquet`, `run.json`) of the staging
        directory. On an object store the object appears whole when written."""
        path = f"{self.staging}/{name}"
        if self.renames:
            self.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
        with self.fs.open_output_stream(path) as f:
            f.write(payload)

    def publish(self, run_json: bytes) -> None:
        """The staged run in place at `--out`, `run.json` in it."""
        fs = self.fs
        exists = fs.get_file_info(self.path).type != pafs.FileType.NotFound
        if self.renames:
            self.write("run.json", run_json)
            old = self.path + ".spark-old"
            if fs.get_file_info(old).type != pafs.FileType.NotFound:
                fs.delete_dir(old)
            if exists:
                fs.move(self.path, old)
            fs.move(self.staging, self.path)
            if exists:
                fs.delete_dir(old)
            return
        # No rename: run.json goes first and comes back last, so a reader
        # that waits for it never takes a half-copied or mixed directory.
        if exists:
            if fs.get_file_info(f"{self.path}/run.json").type == pafs.FileType.File:
                fs.delete_file(f"{self.path}/run.json")
            fs.delete_dir_contents(self.path)
        staged = [i.path for i in fs.get_file_info(pafs.FileSelector(self.staging, recursive=True))
                  if i.type == pafs.FileType.File]
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lambda p: fs.copy_file(p, self.path + p[len(self.staging):]), staged))
        with fs.open_output_stream(f"{self.path}/run.json") as f:
            f.write(run_json)
        fs.delete_dir(self.staging)

    def abandon(self) -> None:
        """A failed run's staging removed (best effort: the next run's
        `prepare` removes what is left)."""
        with contextlib.suppress(OSError, BadPath):
            if self.fs.get_file_info(self.staging).type != pafs.FileType.NotFound:
                self.fs.delete_dir(self.staging)
