"""The arm64 headers generated from text tables: cpucap-defs.h and sysreg-defs.h.

Ports of arch/arm64/tools/gen-cpucaps.awk and gen-sysreg.awk (without their
consistency checks), reading arch/arm64/tools/cpucaps and sysreg.
"""

from __future__ import annotations

from pathlib import Path

GEN = "arch/arm64/include/generated/asm"


def cpucap_defs_h(text: str) -> str:
    out = ["#ifndef __ASM_CPUCAP_DEFS_H", "#define __ASM_CPUCAP_DEFS_H", ""]
    out += ["/* Generated file - do not edit */", ""]
    n = 0
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        out.append(f"#define ARM64_{line.strip():<40}\t{n}")
        n += 1
    out += [f"#define ARM64_NCAPS\t\t\t\t\t{n}", "", "#endif /* __ASM_CPUCAP_DEFS_H */"]
    return "\n".join(out) + "\n"


def _define(name: str, value: object) -> str:
    return f"{'#define ' + name:<56}{value}"


def _bits(bitdef: str) -> tuple[int, int]:
    if ":" in bitdef:
        msb, lsb = bitdef.split(":", 1)
        return int(msb), int(lsb)
    return int(bitdef), int(bitdef)


def _field(reg: str, field: str, msb: int, lsb: int) -> list[str]:
    return [
        _define(f"{reg}_{field}", f"GENMASK({msb}, {lsb})"),
        _define(f"{reg}_{field}_MASK", f"GENMASK({msb}, {lsb})"),
        _define(f"{reg}_{field}_SHIFT", lsb),
        _define(f"{reg}_{field}_WIDTH", msb - lsb + 1),
    ]


def sysreg_defs_h(text: str) -> str:
    out = ["#ifndef __ASM_SYSREG_DEFS_H", "#define __ASM_SYSREG_DEFS_H", ""]
    out += ["/* Generated file - do not edit */", ""]
    reg = field = ""
    masks: dict[str, str] = {}
    for line in text.splitlines():
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        key = w[0]
        if key in ("SysregFields", "Sysreg"):
            reg = w[1]
            masks = {"RES0": "UL(0)", "RES1": "UL(0)", "UNKN": "UL(0)"}
            if key == "Sysreg":
                op0, op1, crn, crm, op2 = w[2:7]
                out.append(_define(f"REG_{reg}", f"S{op0}_{op1}_C{crn}_C{crm}_{op2}"))
                out.append(_define(f"SYS_{reg}", f"sys_reg({op0}, {op1}, {crn}, {crm}, {op2})"))
                for name, value in (("Op0", op0), ("Op1", op1), ("CRn", crn), ("CRm", crm),
                                    ("Op2", op2)):
                    out.append(_define(f"SYS_{reg}_{name}", value))
                out.append("")
        elif key in ("EndSysregFields", "EndSysreg"):
            for name, value in masks.items():
                out.append(_define(f"{reg}_{name}", f"({value})"))
            if masks:
                out.append("")
            masks = {}
        elif key == "Fields":
            out += [f"/* For {reg} fields see {w[1]} */", ""]
            masks = {}
        elif key in ("Res0", "Res1", "Unkn"):
            msb, lsb = _bits(w[1])
            name = key.upper()
            masks[name] = masks.get(name, "") + f" | GENMASK_ULL({msb}, {lsb})"
        elif key == "Field":
            field = w[2]
            out += [*_field(reg, field, *_bits(w[1])), ""]
        elif key in ("SignedEnum", "UnsignedEnum", "Enum"):
            field = w[2]
            out += _field(reg, field, *_bits(w[1]))
            if key != "Enum":
                sign = "true" if key == "SignedEnum" else "false"
                out.append(_define(f"{reg}_{field}_SIGNED", sign))
        elif key == "EndEnum":
            out.append("")
        elif key.startswith("0b") and len(w) >= 2:
            out.append(_define(f"{reg}_{field}_{w[1]}", f"UL({w[0]})"))
    out.append("#endif /* __ASM_SYSREG_DEFS_H */")
    return "\n".join(out) + "\n"


def arm64_files(root: Path) -> dict[str, str]:
    files = {}
    tools = root / "arch/arm64/tools"
    if (tools / "cpucaps").is_file():
        files[f"{GEN}/cpucap-defs.h"] = cpucap_defs_h((tools / "cpucaps").read_text())
    if (tools / "sysreg").is_file():
        files[f"{GEN}/sysreg-defs.h"] = sysreg_defs_h((tools / "sysreg").read_text())
    return files
