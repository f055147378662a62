"""Domain errors; each API's `errors.py` renders them in that API's own envelope.

    BillingMockError                 base of every error the mock raises on purpose
     +-- AuthenticationFailed        no credentials, or credentials nobody holds   (401)
     +-- PermissionDenied            a known caller reaching what is not theirs    (403)
     +-- NotFound                                                                   (404)
     |    +-- OrganisationNotFound   no organisation with that handle
     |    +-- ProductNotFound        a Product-Id the organisation is not enrolled in
     |    +-- PageNotFound           a page past the last one
     |    +-- PlanNotFound           no plan with that id
     +-- InvalidRequest              input the contract cannot rule out            (400)
     +-- Conflict                    well-formed, but the current state rules it out (409)
     |    +-- PlanUnchanged          already on that plan and billing cycle
     +-- UnknownCurrency             not an ISO 4217 code with minor units (also a ValueError)

Messages are module constants so tests and docs quote the same text.
"""

from __future__ import annotations

NOT_AUTHENTICATED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
NOT_A_MEMBER = "You do not have permission to access this organization."
ORGANISATION_NOT_FOUND = "Organization not found."
PAGE_NOT_FOUND = "Invalid page."
PLAN_NOT_FOUND = "Plan not found"
PLAN_UNCHANGED = "Organization is already on this plan"
PRODUCT_NOT_FOUND = "Product not found: the organization is not enrolled in {product}."


class BillingMockError(Exception):
    """Base of the mock's deliberate errors; `message` is shown to the API caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AuthenticationFailed(BillingMockError):
    """No credentials were sent, or nobody holds the ones that were."""

    def __init__(self, message: str = INVALID_TOKEN) -> None:
        super().__init__(message)


class PermissionDenied(BillingMockError):
    """The caller is known but may not reach this resource."""

    def __init__(self, message: str = NOT_A_MEMBER) -> None:
        super().__init__(message)


class NotFound(BillingMockError):
    """The resource named by the request does not exist."""


class OrganisationNotFound(NotFound):
    """No organisation has this handle."""

    def __init__(self, handle: str) -> None:
        super().__init__(ORGANISATION_NOT_FOUND)
        self.handle = handle


class PageNotFound(NotFound):
    """The requested page lies past the last page."""

    def __init__(self, page: int) -> None:
        super().__init__(PAGE_NOT_FOUND)
        self.page = page


class ProductNotFound(NotFound):
    """The organisation is not enrolled in this product (a schema-valid request: not 400)."""

    def __init__(self, product: str) -> None:
        super().__init__(PRODUCT_NOT_FOUND.format(product=product))
        self.product = product


class PlanNotFound(NotFound):
    """No plan has this id."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(PLAN_NOT_FOUND)
        self.plan_id = plan_id


class Conflict(BillingMockError):
    """A well-formed request that the current state rules out."""


class PlanUnchanged(Conflict):
    """The organisation is already on this plan with this billing cycle."""

    def __init__(self) -> None:
        super().__init__(PLAN_UNCHANGED)


class InvalidRequest(BillingMockError):
    """Input that the contract's schemas allow but the mock's data rules out."""


class UnknownCurrency(BillingMockError, ValueError):
    """Not an ISO 4217 currency code with a minor-unit exponent."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Unknown ISO 4217 currency: {code!r}")
        self.code = code
