"""The bundled kernel API knowledge: it loads, it is consistent, and its facts are right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kunwind.cli import main
from kunwind.knowledge import KNOWLEDGE_DIR, Kind, Knowledge, KnowledgeError, load_knowledge
from kunwind.knowledge.loader import tomllib

FAMILIES = {"memory", "references", "locks", "pm", "registration"}
# Release names that no acquire needs to list ("explicitly marked"): none today.
UNPAIRED_OK: set[str] = set()


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def bundled() -> dict[str, dict]:
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8"))
            for p in sorted(KNOWLEDGE_DIR.glob("*.toml"))}


# ---- the files ---------------------------------------------------------------


def test_every_family_has_a_file_with_a_header() -> None:
    files = {p.stem: p for p in KNOWLEDGE_DIR.glob("*.toml")}
    assert FAMILIES <= set(files)
    for name, p in files.items():
        assert p.read_text(encoding="utf-8").startswith("# "), f"{name}.toml has no header"


def test_each_file_loads_on_its_own() -> None:
    for name, data in bundled().items():
        assert set(data) <= {"acquire", "release", "owner", "teardown", "in_progress",
                             "printf", "borrow", "borrowed", "answer", "owner_flag",
                             "held_query", "held_field", "implies", "same_object", "frees_filled",
                             "release_table", "release_setter", "ops_setter", "probe_table",
                             "ignored_return", "undone_by_pair", "initcall", "exitcall",
                             "destructor_member",
                             "no_undo",
                             "zeroed", "zeroes", "read", "truncates",
                             "unsupported", "link", "unlink",
                             "refcount_init", "refcount_put"}, name
        Knowledge().merge(data, name)


def test_no_entry_is_declared_in_two_files() -> None:
    """The later file would silently win over the earlier one."""
    seen: dict[tuple[str, str], str] = {}
    for name, data in bundled().items():
        for section, entries in data.items():
            for entry in entries:
                other = seen.setdefault((section, entry), name)
                assert other == name, f"[{section}.{entry}] in {other}.toml and {name}.toml"


# ---- consistency -------------------------------------------------------------


def test_at_least_150_acquires_with_a_release(kb) -> None:
    paired = [a for a in kb.acquires.values() if a.release]
    assert len(paired) >= 150
    assert len(paired) == len(kb.acquires), "an acquire that nothing releases"


def test_every_release_named_by_an_acquire_is_declared(kb) -> None:
    named = {r for a in kb.acquires.values() for r in a.release}
    missing = sorted(named - set(kb.releases) - UNPAIRED_OK)
    assert not missing


def test_no_devres_acquire(kb) -> None:
    """devm_*/pcim_*/dmam_* release themselves when the device is unbound."""
    managed = [n for n in kb.acquires if n.startswith(("devm_", "pcim_", "dmam_"))]
    assert not managed


def test_fields_have_sane_values(kb) -> None:
    for a in kb.acquires.values():
        assert a.object == "ret" or 0 <= a.object <= 6, a.name
        if a.count_max is not None:  # a count bounded by arguments: of an argument object
            assert a.object != "ret" and 0 <= a.count_max <= 6, a.name
            assert a.count_min is None or 0 <= a.count_min < a.count_max, a.name
        if a.after:
            assert kb.acquire(a.after) is not None, a.name
        assert a.kind and a.kind == a.kind.lower(), a.name
        if a.held_on_failure:
            assert a.fails != "never", a.name
        if a.zeroed:
            assert a.object == "ret", a.name
    for r in kb.releases.values():
        assert 0 <= r.arg <= 6, r.name
    for name, arg in kb.owners.items():
        assert 0 <= arg <= 6, name


def test_teardowns_are_kept(kb) -> None:
    for name in ("unlink_anon_vmas", "device_del", "netif_napi_del", "del_timer_sync",
                 "cancel_work_sync", "destroy_workqueue"):
        assert kb.teardown(name) is not None, name
    assert kb.teardown("unlink_anon_vmas").depends == ["anon_vma"]
    assert kb.teardown("device_del").depends == ["kobj"]


# ---- spot checks against the kernel's own behaviour --------------------------


def test_runtime_pm(kb) -> None:
    get_sync = kb.acquire("pm_runtime_get_sync")
    assert get_sync.kind == "pm" and get_sync.object == 0
    assert get_sync.held_on_failure is True  # the usage count stays raised
    assert "pm_runtime_put_noidle" in get_sync.release
    assert kb.acquire("pm_runtime_get").held_on_failure is True
    assert kb.acquire("pm_runtime_resume_and_get").held_on_failure is False
    assert kb.acquire("usb_autopm_get_interface").held_on_failure is False
    assert kb.acquire("pm_runtime_enable").release == ["pm_runtime_disable", "__pm_runtime_disable",
                                                      "pm_runtime_force_suspend"]


def test_locks(kb) -> None:
    for name in ("mutex_lock", "spin_lock", "spin_lock_bh", "spin_lock_irq", "down", "down_read",
                 "down_write", "read_lock", "write_lock"):
        a = kb.acquire(name)
        assert (a.kind, a.object, a.fails) == ("lock", 0, "never"), name
    for name in ("mutex_trylock", "spin_trylock", "down_read_trylock", "down_write_trylock",
                 "_raw_spin_trylock", "read_trylock"):
        assert kb.acquire(name).fails == "zero", name
    for name in ("mutex_lock_interruptible", "mutex_lock_killable", "down_interruptible",
                 "down_killable", "down_read_killable"):
        assert kb.acquire(name).fails == "negative", name
    assert kb.acquire("down_trylock").fails == "negative"  # returns 1 when not taken
    assert kb.acquire("atomic_dec_and_mutex_lock").object == 1
    # the irqsave macros expand to `flags = _raw_spin_lock_irqsave(lock)`
    assert kb.acquire("_raw_spin_lock_irqsave").object == "ret"
    assert kb.acquire("spin_lock_irqsave").object == 0
    assert kb.release("spin_unlock_irqrestore").arg == 1
    assert kb.acquire("mutex_lock").release == ["mutex_unlock"]


def test_memory(kb) -> None:
    assert kb.acquire("kzalloc").zeroed is True
    assert kb.acquire("kcalloc").zeroed is True
    assert kb.acquire("kmalloc").zeroed is False
    assert kb.acquire("kmalloc").fails == "null"
    for name in ("memdup_user", "vmemdup_user", "memdup_user_nul", "strndup_user"):
        assert kb.acquire(name).fails == "errptr", name
    assert kb.acquire("vmemdup_user").release == ["kvfree"]
    assert kb.acquire("kmem_cache_alloc").release == ["kmem_cache_free"]
    assert kb.release("kmem_cache_free").arg == 1
    assert kb.acquire("ida_alloc").fails == "negative"
    assert kb.alloc("kzalloc") is not None and kb.alloc("idr_alloc") is None


def test_zeroes_only_with_a_zero_byte(kb) -> None:
    assert kb.zeroed_object("memset", lambda j: 0) == 0
    assert kb.zeroed_object("__builtin_memset", lambda j: 0) == 0
    assert kb.zeroed_object("memset", lambda j: 0xff) is None  # memset(p, 0xff, n)
    assert kb.zeroed_object("memset", lambda j: None) is None  # a byte not known
    assert kb.zeroed_object("memzero_explicit", lambda j: None) == 0
    assert kb.zeroed_object("memcpy", lambda j: 0) is None


def test_profiling_names_reach_the_same_entries(kb) -> None:
    """6.10+ allocation profiling: clang sees kmalloc_noprof(), __kvmalloc_node_noprof()..."""
    assert kb.acquire("kmalloc_noprof").release == ["kfree"]
    assert kb.acquire("kzalloc_noprof").zeroed is True
    assert kb.acquire("__kvmalloc_node_noprof").release == ["kvfree"]
    assert kb.acquire("get_free_pages_noprof").release == ["free_pages", "__free_pages"]
    assert kb.acquire("pcpu_alloc_noprof").release == ["free_percpu"]


def test_release_argument_positions(kb) -> None:
    expected = {
        "dma_free_coherent": 2, "dma_free_attrs": 2, "usb_free_coherent": 2,
        "kmem_cache_free": 1, "dma_pool_free": 1, "dma_unmap_single_attrs": 1,
        "pci_iounmap": 1, "phy_put": 1, "device_destroy": 1, "idr_remove": 1, "ida_free": 1,
        "sysfs_remove_group": 1, "clk_bulk_disable_unprepare": 1, "regulator_bulk_free": 1,
        "__release_region": 1, "srcu_read_unlock": 1,
        "free_irq": 0, "release_region": 0, "release_mem_region": 0, "kfree": 0,
        "put_device": 0, "iounmap": 0, "unregister_chrdev_region": 0,
        # lookups that put the node they start from
        "of_get_next_child": 1, "of_find_compatible_node": 0, "pci_get_device": 2,
    }
    for name, arg in expected.items():
        assert kb.release(name).arg == arg, name


def test_acquired_argument_positions(kb) -> None:
    expected = {
        "request_irq": 0, "request_threaded_irq": 0, "__request_region": 1,
        "request_region": 0, "clk_prepare_enable": 0, "regulator_enable": 0,
        "device_add": 0, "cdev_add": 0, "alloc_chrdev_region": 0, "sysfs_create_group": 1,
        "i2c_register_driver": 1, "__spi_register_driver": 1, "sock_create_kern": 4,
        "device_create": 2, "clk_bulk_get": 2, "get_device": 0, "kref_get": 0,
    }
    for name, obj in expected.items():
        assert kb.acquire(name).object == obj, name
    for name in ("ioremap", "pci_iomap", "dma_alloc_coherent", "of_node_get", "clk_get",
                 "alloc_workqueue", "input_allocate_device", "kthread_create_on_node"):
        assert kb.acquire(name).object == "ret", name


def test_failure_conventions(kb) -> None:
    for name in ("clk_get", "regulator_get", "gpiod_get", "gpiod_get_optional", "class_create",
                 "debugfs_create_dir", "kthread_create_on_node", "phy_get", "fwnode_find_reference",
                 "reset_control_get_exclusive", "platform_device_register_simple"):
        assert kb.acquire(name).fails == "errptr", name
    for name in ("ioremap", "of_find_compatible_node", "alloc_workqueue", "usb_alloc_urb",
                 "input_allocate_device", "alloc_netdev_mqs", "dma_alloc_coherent"):
        assert kb.acquire(name).fails == "null", name
    for name in ("device_register", "device_add", "kobject_init_and_add", "platform_device_add"):
        assert kb.acquire(name).held_on_failure is True, name
    assert kb.acquire("device_register").release == ["device_unregister", "put_device"]
    # NULL only for a NULL device, which put_device() ignores
    assert kb.acquire("get_device").fails == "null"


def test_lookups_that_drop_their_start_node(kb) -> None:
    """of_get_next_child(parent, prev) both puts prev and returns a new reference."""
    for name in ("of_get_next_child", "of_get_next_available_child", "of_find_compatible_node",
                 "of_find_node_by_name", "fwnode_get_next_child_node", "pci_get_device"):
        assert kb.acquire(name) is not None and kb.release(name) is not None, name
    assert kb.release("of_get_parent") is None  # it leaves its argument alone


def test_null_tolerant_releases(kb) -> None:
    for name in ("kfree", "vfree", "kvfree", "kfree_const", "put_device", "of_node_put",
                 "kobject_put", "fwnode_handle_put", "clk_disable_unprepare", "clk_put",
                 "regulator_put", "debugfs_remove", "input_free_device", "usb_free_urb",
                 "platform_device_put", "gpiod_put", "reset_control_put", "free_percpu",
                 "dma_free_coherent", "kfree_skb", "i2c_unregister_device"):
        assert kb.release(name).null_ok is True, name
    for name in ("kmem_cache_free", "iounmap", "free_netdev", "mutex_unlock", "fput",
                 "kthread_stop", "device_del", "cdev_del", "regulator_disable", "phy_put",
                 "put_page", "sock_release"):
        assert kb.release(name).null_ok is False, name


def test_owners(kb) -> None:
    expected = {"list_add": 0, "list_add_tail": 0, "hlist_add_head": 0, "xa_store": 2,
                "xa_alloc": 2, "idr_alloc": 1, "radix_tree_insert": 2, "skb_queue_tail": 1,
                "__devm_add_action_or_reset": 2}
    for name, arg in expected.items():
        assert kb.owner_arg(name) == arg, name


def test_owners_on_success(kb) -> None:
    # a clock provider keeps its data only once registered; a list keeps what it links
    assert kb.owner_arg("of_clk_add_provider") == 2
    assert kb.owns_on_success("of_clk_add_provider")
    assert not kb.owns_on_success("list_add")
    kb2 = load_knowledge()
    kb2.merge({"owner": {"of_clk_add_provider": {"arg": 2}}}, "x")  # a later entry wins
    assert not kb2.owns_on_success("of_clk_add_provider")


def test_owners_on_failure(kb) -> None:
    # ttm_bo_init_validate() frees the bo through its destroy callback when it fails
    assert kb.owner_arg("ttm_bo_init_validate") == 1
    assert kb.owns_on_failure("ttm_bo_init_validate")
    assert not kb.owns_on_failure("list_add")
    assert not kb.owns_on_success("ttm_bo_init_validate")
    with pytest.raises(KnowledgeError, match="exclude each other"):
        load_knowledge().merge({"owner": {"x": {"arg": 0, "on_success": True,
                                                "on_failure": True}}}, "x")


def test_owner_actions(kb) -> None:
    # devres runs devm_add_action()'s action (argument 1) on its data later
    assert kb.owner_action("devm_add_action") == 1
    assert kb.owner_action("__devm_add_action_or_reset") == 1
    assert kb.owner_action("list_add") is None
    kb2 = load_knowledge()
    kb2.merge({"owner": {"devm_add_action": {"arg": 2}}}, "x")  # a later entry wins
    assert kb2.owner_action("devm_add_action") is None


def test_ret_names(kb) -> None:
    # the struct resource a region request returns names the region
    assert kb.acquire("request_mem_region").ret_names
    assert not kb.acquire("kmalloc").ret_names
    with pytest.raises(KnowledgeError, match="'ret_names' is for an argument object"):
        load_knowledge().merge({"acquire": {"x": {"ret_names": True}}}, "x")


def test_owner_fields(kb) -> None:
    # regulator_register() takes config->ena_gpiod, not the config
    assert kb.owner_field("regulator_register") == (2, "ena_gpiod")
    assert kb.owner_field("devm_regulator_register") == (2, "ena_gpiod")
    assert kb.owner_arg("regulator_register") is None
    assert kb.owner_field("list_add") is None
    kb2 = load_knowledge()
    kb2.merge({"owner": {"regulator_register": {"arg": 1}}}, "x")  # a later entry wins
    assert kb2.owner_field("regulator_register") is None
    assert kb2.owner_arg("regulator_register") == 1
    with pytest.raises(KnowledgeError, match="'field' takes no other key"):
        load_knowledge().merge({"owner": {"x": {"arg": 0, "field": "f",
                                                "on_success": True}}}, "x")


# ---- user files ----------------------------------------------------------------


def test_a_user_file_extends_and_overrides(tmp_path: Path) -> None:
    user = tmp_path / "site.toml"
    user.write_text(
        '[acquire.widget_get]\nkind = "reference"\nrelease = ["widget_put"]\n'
        '[release.widget_put]\nnull_ok = true\n'
        '[release.kfree]\nnull_ok = false\n'
        '[acquire.mutex_lock]\nkind = "lock"\nobject = 0\nfails = "never"\n'
        'release = ["mutex_unlock", "my_unlock"]\n'
        '[owner.widget_adopt]\narg = 1\n'
        '[teardown.widget_destroy]\ndepends = ["ops"]\n',
        encoding="utf-8",
    )
    base = load_knowledge()
    kb = load_knowledge(extra=[user])
    assert kb.acquire("widget_get").release == ["widget_put"]
    assert kb.release("widget_put").null_ok is True
    assert kb.release("kfree").null_ok is False  # overridden
    assert kb.acquire("mutex_lock").release == ["mutex_unlock", "my_unlock"]
    assert kb.owner_arg("widget_adopt") == 1
    assert kb.teardown("widget_destroy").depends == ["ops"]
    assert len(kb.acquires) == len(base.acquires) + 1
    assert kb.acquire("kzalloc") == base.acquire("kzalloc")  # the rest is untouched


def test_later_user_files_win(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text("[release.widget_put]\narg = 1\n", encoding="utf-8")
    second.write_text("[release.widget_put]\narg = 2\n", encoding="utf-8")
    assert load_knowledge(extra=[first, second]).release("widget_put").arg == 2


@pytest.mark.parametrize("text, reason", [
    ("[acquire.widget_get\nrelease = []\n", "not valid TOML"),
    ('[acquire.widget_get]\nfails = "sometimes"\n', "unknown 'fails' value"),
    ('[acquire.widget_get]\nobject = "first"\n', "malformed entry"),
    ('[release.widget_put]\narg = "two"\n', "malformed entry"),
    ("[acquire]\nwidget_get = 3\n", "malformed entry"),
    ('[acquire.widget_get]\nkind = "lok"\n', "unknown kind 'lok' (known: memory,"),
    ('[acquire.widget_get]\nkind = ""\n', "unknown kind ''"),
    ('[acquire.widget_map]\nobject = 1\ncount_min = 2\n', "'count_min' needs 'count_max'"),
    ('[acquire.widget_get]\nnull_on_failure = true\n', "'null_on_failure' is for an out-param"),
    ('[acquire.widget_get]\nfails = "errptr"\nnull_arg = 0\n', "'null_arg' is for a returned"),
])
def test_a_malformed_user_file_names_itself(tmp_path: Path, text: str, reason: str) -> None:
    bad = tmp_path / "broken-site.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge(extra=[bad])
    assert str(bad) in str(exc.value)
    assert reason in str(exc.value)


def test_a_bad_entry_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text('# site\n[acquire]\nwidget_get = { kind = "reference" }\n'
                   'widget_lock = { kind = "mutex", object = 0 }\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{bad}:4: malformed entry \(acquire.widget_lock: "
                                             r"unknown kind 'mutex'"):
        load_knowledge(extra=[bad])


def test_every_knowledge_file_names_known_kinds_only() -> None:
    """The files not loaded by default too (rules/knowledge/hosted/)."""
    for path in sorted(KNOWLEDGE_DIR.rglob("*.toml")):
        text = path.read_text(encoding="utf-8")
        Knowledge().merge(tomllib.loads(text), str(path), text)


def test_every_kind_is_one_of_the_closed_set(kb) -> None:
    assert all(isinstance(a.kind, Kind) and a.kind is not Kind.UNKNOWN
               for a in kb.acquires.values())
    assert {k for k in Kind if k.is_hold} == {Kind.LOCK, Kind.PM}
    assert Kind.LOCK == "lock" and f"{Kind.LOCK}" == "lock" and {"lock": 1}[Kind.LOCK] == 1


def test_a_missing_user_file_names_itself(tmp_path: Path) -> None:
    gone = tmp_path / "nowhere.toml"
    with pytest.raises(KnowledgeError, match="nowhere.toml: cannot read"):
        load_knowledge(extra=[gone])


def test_the_command_line_reports_a_malformed_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken-site.toml"
    bad.write_text('[acquire.widget_get]\nfails = "sometimes"\n', encoding="utf-8")
    src = tmp_path / "x.c"
    src.write_text("int x(void) { return 0; }\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["check", "--experimental", "--knowledge", str(bad), str(src)])
    assert r.exit_code == 2
    assert "broken-site.toml" in r.output + (r.stderr or "")
    assert "Traceback" not in r.output


def test_unknown_keys_and_tables_are_errors_with_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text('[acquire]\nfoo_get = { kind = "reference", relase = ["foo_put"] }\n')
    with pytest.raises(KnowledgeError, match=r"site\.toml:2: malformed entry \(acquire\.foo_get: "
                                             r"unknown key 'relase'"):
        load_knowledge(extra=[bad])
    bad.write_text('[acquires]\nfoo_get = { release = ["foo_put"] }\n')
    with pytest.raises(KnowledgeError, match=r"site\.toml: unknown table \[acquires\]"):
        load_knowledge(extra=[bad])


def test_ignored_returns_load_and_need_their_members(tmp_path: Path) -> None:
    kb = load_knowledge()
    assert "resume" in kb.ignored_returns["dev_pm_ops"]
    assert "suspend" not in kb.ignored_returns["dev_pm_ops"]  # a failed suspend is seen
    assert "resume" in kb.ignored_returns["snd_soc_component_driver"]
    bad = tmp_path / "site.toml"
    bad.write_text('[ignored_return]\nfoo_ops = { members = [] }\n')
    with pytest.raises(KnowledgeError, match=r"ignored_return\.foo_ops: needs 'members'"):
        load_knowledge(extra=[bad])


def test_undone_by_pair_loads_and_needs_its_members(tmp_path: Path) -> None:
    kb = load_knowledge()
    assert kb.undone_by_pair["comedi_driver"] == {"attach", "auto_attach"}
    assert "detach" not in kb.undone_by_pair["comedi_driver"]
    bad = tmp_path / "site.toml"
    bad.write_text('[undone_by_pair]\nfoo_ops = { members = "attach" }\n')
    with pytest.raises(KnowledgeError, match=r"undone_by_pair\.foo_ops: needs 'members'"):
        load_knowledge(extra=[bad])


def test_kunwind_knowledge_shows_an_entry_and_where_it_comes_from(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kunwind.cli import main

    mine = tmp_path / "foo.toml"
    mine.write_text('[acquire]\nfoo_ctx_create = { release = ["foo_ctx_destroy"] }\n'
                    '[release]\nfoo_ctx_destroy = { null_ok = true }\n')
    r = CliRunner().invoke(main, ["knowledge", "--knowledge", str(mine), "foo_ctx_create"])
    assert r.exit_code == 0, r.output
    assert r.output == ("acquire foo_ctx_create: memory (returns it), fails null; released by "
                        f"foo_ctx_destroy  [{mine}]\n")
    r = CliRunner().invoke(main, ["knowledge", "kfree"])
    assert r.output == "release kfree: releases argument 0, NULL is fine  " \
                       "[rules/knowledge/memory.toml]\n"
    assert CliRunner().invoke(main, ["knowledge", "no_such_call"]).exit_code == 2
    r = CliRunner().invoke(main, ["knowledge", "msi_enabled"])
    assert r.output == "held_field msi_enabled: a field, nonzero while pci_enable_msi holds " \
                       "its object  [rules/knowledge/answers.toml]\n"


def test_knowledge_command_describes_every_bundled_entry() -> None:
    """``kunwind knowledge`` lists each entry of every table, one line each."""
    r = CliRunner().invoke(main, ["knowledge"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    expected = sum(len(entries) for data in bundled().values() for entries in data.values())
    assert len(lines) == expected
    assert all(re.fullmatch(r"[a-z_]+ \S+: .+  \[rules/knowledge/[a-z_]+\.toml\]", x)
               for x in lines), next(x for x in lines if "[rules/knowledge/" not in x)


# ---- what an API means: parts, safe releases, in-progress codes, formats -------


def test_parts_safe_releases_in_progress_codes_and_formats_load() -> None:
    kb = load_knowledge()
    assert kb.acquire("pm_runtime_enable").part == "runtime-PM enable count"
    assert kb.released_part("pm_runtime_disable") == "runtime-PM enable count"
    assert kb.released_part("pm_runtime_put_noidle") == ""  # the usage count
    assert kb.release("pci_disable_msi").safe_unacquired is True
    assert kb.release("free_irq").safe_unacquired is False  # it warns
    assert kb.in_progress[115] == "EINPROGRESS"
    assert kb.printer_format("_printk") == 0
    assert kb.printer_format("_dev_err") == 1


def test_a_release_shared_by_two_parts_and_bad_new_entries_are_errors(tmp_path: Path) -> None:
    bad = tmp_path / "site.toml"
    bad.write_text('[acquire]\npm_runtime_get_sync = { kind = "pm", object = 0, '
                   'release = ["pm_runtime_disable"] }\n')
    with pytest.raises(KnowledgeError, match=r"'pm_runtime_disable' is listed by acquires of "
                                             r"different parts"):
        load_knowledge(extra=[bad])
    for text, what in (('[acquire]\nfoo_alloc = { part = "x" }\n', "needs an argument"),
                       ('[in_progress]\nEFOO = { errno = -3 }\n', "positive"),
                       ('[printf]\nfoo_log = {}\n', "format argument")):
        bad.write_text(text)
        with pytest.raises(KnowledgeError, match=what):
            load_knowledge(extra=[bad])


def test_plain_pointer_conversions_are_printed_only() -> None:
    from kunwind.analysis.idioms import printed_only
    from kunwind.model.ir import Call, Str, Var

    args = (Str('"\\0013x %p %*d %pOF %px %%p %pK %s\\n"'), *(Var(n) for n in "abcdefg"))
    assert printed_only(Call("_printk", args), 0) == {1, 5, 6}  # a, e, f
    assert printed_only(Call("_printk", (Str(), Var("a"))), 0) == frozenset()  # no literal


def test_an_edge_that_shows_no_error_code() -> None:
    from kunwind.analysis.conditions import no_error_on_edge
    from kunwind.model.ir import Binary, Const, Var

    ret = Var("ret")
    assert no_error_on_edge(Binary("==", ret, Const(-115)), True, {115}) == "ret"
    assert no_error_on_edge(Binary("!=", ret, Const(-115)), False, {115}) == "ret"
    assert no_error_on_edge(Binary("==", ret, Const(-12)), True, {115}) is None
    assert no_error_on_edge(Binary(">", ret, Const(0)), True, ()) == "ret"
    assert no_error_on_edge(Binary(">", ret, Const(0)), False, ()) is None


def test_an_edge_that_shows_an_error_code() -> None:
    from kunwind.analysis.conditions import error_on_edge
    from kunwind.model.ir import Binary, Const, Unary, Var

    ret = Var("ret")
    assert error_on_edge(Binary("==", ret, Const(-110)), True, {115}) == "ret"
    assert error_on_edge(Binary("==", ret, Const(-110)), False, {115}) is None
    assert error_on_edge(Binary("!=", ret, Const(-5)), False, {115}) == "ret"
    assert error_on_edge(Unary("!", Binary("==", ret, Const(-5))), False, ()) == "ret"
    assert error_on_edge(Binary("==", ret, Const(-115)), True, {115}) is None  # queued
    assert error_on_edge(Binary("==", ret, Const(1)), True, ()) is None


def test_owner_flag_entries_are_checked() -> None:
    kb = Knowledge()
    kb.merge({"owner_flag": {"F": {"field": "flags", "value": 4, "fill": {"fill_it": 2}}}}, "x")
    assert kb.owner_flags["F"].fill == {"fill_it": 2}
    with pytest.raises(KnowledgeError):
        Knowledge().merge({"owner_flag": {"F": {"field": "flags", "value": 4}}}, "x")


def test_releases_by_the_acquires_arguments_and_owning_flags_load(tmp_path: Path) -> None:
    kb = load_knowledge()
    rel = kb.release("device_link_remove")
    acq = kb.acquire("device_link_add")
    assert rel is not None and rel.same_args == [0, 1]
    assert acq is not None and acq.owned_with_flag == (2, 1)
    assert kb.keyed_by_args(acq) == [0, 1]
    bad = tmp_path / "bad.toml"
    for text, what in (('[release]\nfoo_unlink = { same_args = [0] }\n', "needs an acquire"),
                       ('[release]\nfoo_unlink = { same_args = [] }\n', "argument indices"),
                       ('[acquire]\nfoo_link = { owned_with_flag = { arg = 2, value = 0 } }\n',
                        "positive")):
        bad.write_text(text)
        with pytest.raises(KnowledgeError, match=what):
            load_knowledge(extra=[bad])


def test_an_owning_flag_is_tested_in_a_mask_of_constants_only() -> None:
    from kunwind.analysis.idioms import owned
    from kunwind.model.ir import Binary, Call, Const, Expr, Var

    kb = load_knowledge()

    def link(flags: Expr) -> Call:
        return Call("device_link_add", (Var("dev"), Var("sup"), flags))

    assert owned(kb, link(Binary("|", Const(1), Const(4))))  # DL_FLAG_STATELESS | ...
    assert not owned(kb, link(Const(2)))  # DL_FLAG_AUTOREMOVE_CONSUMER: managed
    assert not owned(kb, link(Binary("|", Const(4), Const(8))))
    assert owned(kb, link(Var("flags")))  # may carry DL_FLAG_STATELESS
    assert owned(kb, link(Binary("|", Var("flags"), Const(4))))


def test_calls_that_set_up_nothing_are_no_acquire_guesses(tmp_path: Path) -> None:
    from kunwind.knowledge.names import may_acquire

    kb = load_knowledge()
    assert kb.owes_no_undo("v4l2_m2m_next_src_buf") and kb.owes_no_undo("spi_nor_write_enable")
    assert not may_acquire(kb, "v4l2_m2m_next_src_buf")
    assert may_acquire(kb, "foo_m2m_next_src_buf")
    bad = tmp_path / "bad.toml"
    bad.write_text('[acquire]\nfoo_peek = {}\n[no_undo]\nfoo_peek = {}\n')
    with pytest.raises(KnowledgeError, match="no_undo.foo_peek: it is an"):
        load_knowledge(extra=[bad])


def test_zeroed_objects_that_are_no_acquire(tmp_path: Path) -> None:
    """devm_kzalloc() returns a zeroed object that devres frees: its fields read 0 until
    written (the walk's known values), yet nothing is owed on an error path. A name
    that is an [acquire] says so with `zeroed = true` instead."""
    kb = load_knowledge()
    assert kb.zeroed_alloc("devm_kzalloc") and kb.zeroed_alloc("devm_kcalloc")
    assert kb.acquire("devm_kzalloc") is None and not kb.zeroed_alloc("devm_kmalloc")
    bad = tmp_path / "k.toml"
    bad.write_text('[acquire]\nfoo_zalloc = { zeroed = true }\n[zeroed]\nfoo_zalloc = {}\n')
    with pytest.raises(KnowledgeError, match="zeroed.foo_zalloc: it is an"):
        load_knowledge(extra=[bad])


def test_truncating_copies() -> None:
    """strscpy()'s -E2BIG says the copy was cut short: the [truncates] fact."""
    kb = load_knowledge()
    assert kb.truncating_copy("strscpy") and kb.truncating_copy("strscpy_pad")
    assert not kb.truncating_copy("kstrdup") and not kb.truncating_copy("copy_from_user")


def test_unsupported_errnos() -> None:
    """-EOPNOTSUPP and -ENOTSUPP say a feature is absent: the [unsupported] fact."""
    kb = load_knowledge()
    assert set(kb.unsupported) == {95, 524}


def test_list_links_and_unlinks(tmp_path: Path) -> None:
    """list_add() links its node into the list of its head; list_del() unlinks it: the
    [link] and [unlink] facts (KU008), validated when loaded."""
    kb = load_knowledge()
    assert kb.link("list_add_tail") == (0, 1) and kb.link("hlist_add_head") == (0, 1)
    assert kb.unlink("list_del") == 0 and kb.unlink("INIT_LIST_HEAD") == 0
    assert kb.link("list_del") is None and kb.unlink("list_add") is None
    for text, reason in [('[link]\nfoo_link = { entry = 0 }\n', "needs 'entry' and 'head'"),
                         ('[link]\nfoo_link = { entry = 1, head = 1 }\n', "two argument"),
                         ('[link]\nfoo_link = { entry = 0, hed = 1 }\n', "unknown key"),
                         ('[unlink]\nlist_add = {}\n', "unlink.list_add: it is a")]:
        bad = tmp_path / "k.toml"
        bad.write_text(text)
        with pytest.raises(KnowledgeError, match=reason):
            load_knowledge(extra=[bad])


def test_refcount_inits_name_their_puts(tmp_path: Path) -> None:
    """KU009's facts: which call sets up the count of which argument, and which puts
    drop it; an init whose put is not a [refcount_put] is an error."""
    kb = load_knowledge()
    assert kb.refcount_inits["device_initialize"] == (0, ("put_device",))
    assert kb.inits_for("put_device") == ["device_initialize", "device_register"]
    assert kb.inits_for("kref_put") == ["kref_init"] and kb.refcount_puts["kobject_put"] == 0
    bad = tmp_path / "k.toml"
    bad.write_text('[refcount_init]\nfoo_init = { puts = ["foo_put"] }\n')
    with pytest.raises(KnowledgeError, match="refcount_init.foo_init: put 'foo_put' is not"):
        load_knowledge(extra=[bad])
    bad.write_text('[refcount_init]\nfoo_init = { arg = 0 }\n')
    with pytest.raises(KnowledgeError, match=r"refcount_init\.foo_init: needs 'puts'"):
        load_knowledge(extra=[bad])
    bad.write_text('[refcount_put]\nfoo_put = { arg = -1 }\n')
    with pytest.raises(KnowledgeError, match=r"refcount_put\.foo_put: 'arg'"):
        load_knowledge(extra=[bad])
