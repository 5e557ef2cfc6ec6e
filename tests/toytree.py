"""A small kernel-like tree and a toy driver for the git workflow tests (diff, hooks, baseline).

``make_tree`` writes the files that make kunwind treat a directory as a
kernel tree with a prepared build (``include/generated/...``), so no headers
are synthesised; the driver ``drivers/foo/foo.c`` is self-contained C.
``git`` runs git with the user's and the system's configuration left out.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FOO = "drivers/foo/foo.c"

PROLOGUE = """\
// SPDX-License-Identifier: GPL-2.0
/* foo: a toy crypto engine's sessions. */
#define NULL ((void *)0)
#define ENOMEM 12
typedef unsigned long size_t;

struct list_head { struct list_head *next, *prev; };
struct foo_key { unsigned int len; };
struct foo_engine { struct list_head sessions; };
struct foo_session {
\tstruct foo_engine *engine;
\tstruct list_head node;
\tstruct foo_key *key;
};

void *kzalloc(size_t size, unsigned int flags);
void *kmalloc(size_t size, unsigned int flags);
void kfree(const void *p);
void list_add(struct list_head *new, struct list_head *head);
void list_del(struct list_head *entry);
int foo_engine_start(struct foo_engine *engine);

/* Unlinks the session and wipes its key: it dereferences sess->key. */
static void foo_session_destroy(struct foo_session *sess)
{
\tlist_del(&sess->node);
\tsess->key->len = 0;
\tkfree(sess->key);
\tkfree(sess);
}
"""

# The key is stored before anything can fail after the session is linked.
CREATE_GOOD = """
int foo_session_create(struct foo_engine *engine, struct foo_session **out)
{
\tstruct foo_session *sess;
\tstruct foo_key *k;
\tint err;

\tsess = kzalloc(sizeof(*sess), 0);
\tif (!sess)
\t\treturn -ENOMEM;
\tk = kmalloc(sizeof(*k), 0);
\tif (!k) {
\t\tkfree(sess);
\t\treturn -ENOMEM;
\t}
\tsess->key = k;
\tsess->engine = engine;
\tlist_add(&sess->node, &engine->sessions);
\terr = foo_engine_start(engine);
\tif (err)
\t\tgoto err_destroy;
\t*out = sess;
\treturn 0;

err_destroy:
\tfoo_session_destroy(sess);
\treturn err;
}
"""

# The same with the store of sess->key moved below the goto: the untouched
# foo_session_destroy(sess) line now tears down a session without its key (KU001).
CREATE_BAD = CREATE_GOOD.replace("\tsess->key = k;\n", "").replace(
    "\t*out = sess;\n", "\tsess->key = k;\n\t*out = sess;\n")

DESTROY_CALL = "\tfoo_session_destroy(sess);"


def foo_c(create: str = CREATE_GOOD, extra: str = "") -> str:
    """The driver's text: the prologue, ``extra`` (more code above), then ``create``."""
    return PROLOGUE + extra + create


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of ``text`` that starts with ``needle``."""
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(needle):
            return n
    raise ValueError(needle)


def make_tree(root: Path, foo: str | None = None) -> Path:
    """A kernel-like tree with a prepared build at ``root`` (and ``foo`` as the driver)."""
    for name in ("Kbuild", "Makefile", "Kconfig", ".config", "include/linux/kernel.h",
                 "include/generated/autoconf.h", "include/generated/bounds.h"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    for d in ("arch/x86/include/generated/asm", "arch/x86/include/generated/uapi/asm"):
        (root / d).mkdir(parents=True, exist_ok=True)
    if foo is not None:
        write(root, FOO, foo)
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def git_env() -> dict[str, str]:
    """The environment for git: no user or system configuration, a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="Kunwind Test", GIT_AUTHOR_EMAIL="test@example.org",
               GIT_COMMITTER_NAME="Kunwind Test", GIT_COMMITTER_EMAIL="test@example.org")
    return env


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run git in ``repo``; stdout and stderr together in ``.stdout``."""
    proc = subprocess.run(["git", *args], cwd=repo, env=git_env(), text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed:\n{proc.stdout}")
    return proc


def init_repo(root: Path) -> Path:
    """``git init`` at ``root``, add everything, commit."""
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "initial")
    return root


def commit_all(root: Path, message: str, check: bool = True) -> subprocess.CompletedProcess:
    git(root, "add", "-A")
    return git(root, "commit", "-q", "-m", message, check=check)
