"""The product catalogue, read from the front matter of knowledge_base/products/**/*.md."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rm_copilot.errors import BadInput, NotFound
from rm_copilot.knowledge.documents import KnowledgeDoc, load_documents
from rm_copilot.knowledge.product_names import ProductNames
from rm_copilot.vocabulary import PRODUCT_TYPE_LABELS, ProductType

if TYPE_CHECKING:
    from rm_copilot.compliance import ProductRef



def risk_rank(level: str | None) -> int | None:
    """'R3' / 'C3' / 3 → 3; anything else → None."""
    if level is None:
        return None
    match = re.fullmatch(r"[RrCc]?([1-5])", str(level).strip())
    return int(match.group(1)) if match else None


class Product(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)

    id: str
    doc_id: str
    name: str
    type: ProductType
    risk_level: str
    issuer: str | None = None
    term: str | None = None
    min_amount: float = 0
    min_amount_text: str | None = None
    benchmark: str | None = None
    rate: str | None = None
    fees: str | None = None
    liquidity: str | None = None
    target_customers: list[str] = Field(default_factory=list)
    needs: list[str] = Field(default_factory=list)
    scenes: list[str] = Field(default_factory=list)
    tags_match: list[str] = Field(default_factory=list)
    disclosures: list[str] = Field(default_factory=list)
    selling_points: list[str] = Field(default_factory=list)
    risks: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    status: str = "on_sale"

    @field_validator("risk_level")
    @classmethod
    def _risk_level_format(cls, value: str) -> str:
        if risk_rank(value) is None or not str(value).upper().startswith("R"):
            raise ValueError("risk_level must be R1..R5")
        return str(value).upper()

    @field_validator("min_amount", mode="before")
    @classmethod
    def _none_amount(cls, value: Any) -> Any:
        return 0 if value is None else value

    @property
    def risk_rank(self) -> int:
        return risk_rank(self.risk_level) or 5

    @property
    def type_label(self) -> str:
        return PRODUCT_TYPE_LABELS[self.type]

    @classmethod
    def from_document(cls, doc: KnowledgeDoc) -> Product:
        fields = {key: value for key, value in doc.meta.items() if value is not None}
        return cls(doc_id=doc.doc_id, **fields)


class ProductCatalog:
    def __init__(self, products: list[Product]):
        self._products = {product.id: product for product in products}
        self.names = ProductNames(products)  # every name each product goes by, for every layer

    @classmethod
    def from_directory(cls, knowledge_base: Path) -> ProductCatalog:
        return cls.from_documents(load_documents(knowledge_base))

    @classmethod
    def from_documents(cls, docs: list[KnowledgeDoc]) -> ProductCatalog:
        products = []
        for doc in docs:
            if doc.kind != "product":
                continue
            try:
                products.append(Product.from_document(doc))
            except ValidationError as error:
                fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
                raise BadInput(f"产品文件 {doc.doc_id} 字段有误：{fields}") from error
        return cls(products)

    def all(self) -> list[Product]:
        return list(self._products.values())

    def get(self, product_id: str) -> Product:
        product = self._products.get(product_id.strip().upper())
        if product is None:
            raise NotFound(f"没有找到产品 {product_id}")
        return product

    def by_type(self, product_type: str) -> list[Product]:
        return [p for p in self._products.values() if p.type == product_type]

    def suitable_for(self, risk_level: str | None, age: int | None, elderly_age: int = 65) -> list[Product]:
        """On-sale products whose risk fits the customer's level; R4/R5 never for elderly customers.

        A customer without a valid risk assessment only fits R1 products.
        """
        limit = risk_rank(risk_level) or 1
        if age is not None and age >= elderly_age:
            limit = min(limit, 3)
        return [p for p in self._products.values() if p.status == "on_sale" and p.risk_rank <= limit]

    def find_mentions(self, text: str) -> list[Product]:
        """Products named in text (id, full name or any other name), in order of first mention."""
        return [self._products[product_id] for product_id in self.names.mentioned(text)]

    def compliance_refs(self) -> list[ProductRef]:
        from rm_copilot.compliance.models import ProductRef

        return [
            ProductRef(id=p.id, name=p.name, type=p.type, risk_level=p.risk_level, aliases=self.names.aliases(p.id))
            for p in self._products.values()
        ]

    def __len__(self) -> int:
        return len(self._products)

    def __iter__(self):
        return iter(self._products.values())

