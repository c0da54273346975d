from __future__ import annotations

import pytest

from assistant_fakes import KNOWLEDGE_BASE
from rm_copilot.compliance.engine import ComplianceEngine
from rm_copilot.knowledge.products import ProductCatalog


@pytest.fixture(scope="session")
def catalog() -> ProductCatalog:
    return ProductCatalog.from_directory(KNOWLEDGE_BASE)


@pytest.fixture(scope="session")
def engine(catalog: ProductCatalog) -> ComplianceEngine:
    return ComplianceEngine.from_directory(KNOWLEDGE_BASE / "compliance", products=catalog.compliance_refs())
