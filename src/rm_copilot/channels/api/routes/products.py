from typing import Annotated

from fastapi import APIRouter, Path, Query

from rm_copilot.channels.api.deps import CurrentAdvisor, ServicesDep
from rm_copilot.channels.api.responses import NOT_FOUND
from rm_copilot.channels.api.schemas import ID_PATTERN, ProductOut, ProductType

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", response_model=list[ProductOut])
def list_products(
    advisor: CurrentAdvisor, services: ServicesDep, type: Annotated[ProductType | None, Query()] = None
) -> list:
    """在售产品目录，风险等级 R1–R5。"""
    return services.catalog.by_type(type) if type else services.catalog.all()


@router.get("/{product_id}", response_model=ProductOut, responses=NOT_FOUND)
def read_product(
    product_id: Annotated[str, Path(pattern=ID_PATTERN)], advisor: CurrentAdvisor, services: ServicesDep
):
    """单个产品的要素。"""
    return services.catalog.get(product_id)
