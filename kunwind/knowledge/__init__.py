"""Kernel API knowledge: the facts the checks rely on, apart from the checks.

``facts`` (the entries and their lookup), ``kinds`` (what a resource is, a
closed set), ``loader`` (the TOML files of ``rules/knowledge/`` and the
user's), ``learned`` (pairs learned from the checked code) and ``names``
(what a function's name says). The analysis imports this package; it imports
neither the analysis nor the checks.
"""

from .facts import Acquire, Knowledge, KnowledgeData, KnowledgeError, Release, Teardown, canonical
from .kinds import Kind
from .loader import KNOWLEDGE_DIR, load_knowledge

__all__ = ["KNOWLEDGE_DIR", "Acquire", "Kind", "Knowledge", "KnowledgeData", "KnowledgeError",
           "Release", "Teardown", "canonical", "load_knowledge"]
