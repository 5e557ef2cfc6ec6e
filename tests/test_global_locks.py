"""Argument-less lock calls bound to their global lock, and error log levels in formats."""

from kunwind.analysis.global_locks import bind_global_locks, global_lock
from kunwind.knowledge import load_knowledge
from kunwind.model.cfg import Block, Function
from kunwind.model.ir import Call, ExprStmt, Loc, Str, Var


def test_pairs_meet_on_one_global() -> None:
    kb = load_knowledge()
    assert global_lock(kb, "rtnl_lock") == global_lock(kb, "rtnl_unlock") == "rtnl_lock"
    assert global_lock(kb, "rtnl_lock_killable") == "rtnl_lock"
    assert global_lock(kb, "rcu_read_lock") == global_lock(kb, "rcu_read_unlock")
    assert global_lock(kb, "rcu_read_lock_bh") == "rcu_read_lock_bh"
    assert global_lock(kb, "kfree") is None  # not a lock


def test_bind_gives_argument_less_calls_their_lock() -> None:
    kb = load_knowledge()
    loc = Loc(1, 1)
    stmts = [ExprStmt(loc, Call("rtnl_lock", (), loc)),
             ExprStmt(loc, Call("mutex_lock", (Var("m"),), loc)),
             ExprStmt(loc, Call("rtnl_unlock", (), loc))]
    fn = Function("f", "f.c", loc, 3, [], False, True, [Block(0, list(stmts)), Block(1)])
    bind_global_locks(fn, kb)
    calls = [s.expr for s in fn.blocks[0].stmts if isinstance(s, ExprStmt)]
    assert [c.args for c in calls if isinstance(c, Call)] == [
        (Var("rtnl_lock"),), (Var("m"),), (Var("rtnl_lock"),)]


def test_error_level_read_from_the_format() -> None:
    kb = load_knowledge()
    assert kb.logs_error("_printk", Str('"\\0013bad\\n"').value)  # pr_err()
    assert kb.logs_error("_printk", '"\\0010panic"')  # KERN_EMERG
    assert not kb.logs_error("_printk", '"\\0016ok\\n"')  # pr_info()
    assert not kb.logs_error("_printk", '"no level"')
    assert not kb.logs_error("kfree", '"\\0013x"')  # not a printer
    assert kb.logs_error("_dev_err")
