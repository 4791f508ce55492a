"""integrations_core: Rocket.Chat's integrations.list as pure functions, over a safe MQL engine."""

from .listing import list_integrations
from .model import Caller, IncomingIntegration, Integration, OutgoingIntegration, Permission
from .params import ListRequest, ParamError, parse_list_params
from .responses import Response
from .settings import Settings
from .store import IntegrationStore, StoreError
from .visibility import can_list, visibility_filter

__all__ = [
    "Caller",
    "IncomingIntegration",
    "Integration",
    "IntegrationStore",
    "ListRequest",
    "OutgoingIntegration",
    "ParamError",
    "Permission",
    "Response",
    "Settings",
    "StoreError",
    "can_list",
    "list_integrations",
    "parse_list_params",
    "visibility_filter",
]
