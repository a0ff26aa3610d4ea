"""Request and response bodies of the API (they make /openapi.json). Envelope types are strict: a
wrong type is a 422; what is inside a mutation's ``fields`` is checked per mutation by the merge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from saypro_desktop.sync.protocol import DEFAULT_PULL_BYTES, MAX_BATCH

from ..checks import text_problem


def _clean(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(f"the text {problem}")
    return value


Text = Annotated[StrictStr, AfterValidator(_clean)]
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
Uuid = Annotated[Text, Field(pattern=UUID_PATTERN, description="a lower-case UUID")]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")  # newer desktops may send more; nothing breaks


class Problem(BaseModel):
    detail: str


class LoginRequest(Body):
    username: Annotated[Text, Field(min_length=1, max_length=64)]
    password: Annotated[Text, Field(min_length=1, max_length=1024)]
    device_id: Uuid
    device_name: Annotated[Text, Field(max_length=120)] = ""
    device_key: Annotated[Text, Field(min_length=32, max_length=128, description=(
        "the desktop's device key, a secret kept outside its database: the first sign-in of a device id "
        "registers it, later ones must present the same key"))]


class RefreshRequest(Body):
    refresh_token: Annotated[Text, Field(min_length=1, max_length=200)]
    device_id: Uuid


class UserInfo(BaseModel):
    id: str
    username: str
    display_name: str
    role: str


class TokenResponse(BaseModel):
    access_token: str
    access_expires_in: int
    refresh_token: str
    user: UserInfo
    server_epoch: str


class LeaseRequest(Body):
    month: Annotated[Text, Field(pattern=r"^\d{2}(0[1-9]|1[0-2])$", description="YYMM")]
    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 200
    request_id: Uuid | None = Field(default=None, description=(
        "the desktop's id of this request: sent again after an answer was lost, it gets the same block"))


class LeaseResponse(BaseModel):
    month: str
    first: int
    last: int


class HeldBlock(Body):
    month: Annotated[Text, Field(pattern=r"^\d{2}(0[1-9]|1[0-2])$", description="YYMM")]
    first: Annotated[StrictInt, Field(ge=1, le=99_999)]
    last: Annotated[StrictInt, Field(ge=1, le=99_999)]


class ClaimRequest(Body):
    epoch: Annotated[Text, Field(min_length=1, max_length=64,
                                 description="the epoch this desktop last pulled from")]
    blocks: Annotated[list[HeldBlock], Field(max_length=200)]


class RefusedBlock(BaseModel):
    month: str
    first: int
    last: int
    reason: str


class ClaimResponse(BaseModel):
    epoch: str
    claimed: list[LeaseResponse]
    refused: list[RefusedBlock]


class Mutation(Body):
    seq: Annotated[StrictInt, Field(ge=1, le=2**62)]
    mutation_id: Annotated[Text, Field(max_length=64)]
    table: Annotated[Text, Field(max_length=64)]
    row_id: Annotated[Text, Field(max_length=64)]
    op: Annotated[Text, Field(max_length=16)]
    hlc: Annotated[Text, Field(max_length=64)]
    fields: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, Any] | None = Field(
        default=None, description="field -> the clock stamp the desktop held before this edit (conflict text fields)")


class PushRequest(Body):
    outbox_id: Annotated[Text, Field(pattern=r"^[0-9a-f]{16,40}$", description=(
        "the desktop's outbox the sequence numbers count in (a restored store starts a new one)"))]
    oldest_held: Annotated[StrictInt, Field(ge=1, le=2**62, description=(
        "the lowest sequence the desktop still holds: a server with no record of the outbox asks for "
        "everything from there"))]
    mutations: Annotated[list[Mutation], Field(max_length=MAX_BATCH)]


class MutationResult(BaseModel):
    seq: int
    mutation_id: str
    status: Literal["applied", "duplicate", "rejected", "retry"]
    reason: str | None = None
    needs: dict[str, str] | None = Field(default=None, description=(
        "with retry: the row (table, row_id) the server lost in a restore and waits for"))


class PushResponse(BaseModel):
    results: list[MutationResult]
    last_seq: int | None


class GapProblem(Problem):
    expected_seq: int | None = None
    code: Literal["gap", "replay", "outbox_reused"] = Field(description=(
        "gap: push from expected_seq; replay: the server has no record of this outbox, send everything held "
        "from expected_seq; outbox_reused: this outbox's numbers were used by other changes before (a "
        "restored or copied store): start a new outbox"))


class Cursor(Body):
    epoch: Annotated[Text, Field(max_length=64)] | None = Field(
        default=None, description="null: not known yet (a new desktop); with seq 0 it starts from the beginning")
    seq: Annotated[StrictInt, Field(ge=0, le=2**62)]


class PullRequest(Body):
    cursor: Cursor | None = None
    max_bytes: Annotated[StrictInt, Field(ge=1, le=2**31)] = DEFAULT_PULL_BYTES
    tables: Annotated[list[Text], Field(max_length=32)] | None = None


class VersionsRequest(Body):
    table: Annotated[Text, Field(max_length=64)]
    ids: Annotated[list[Uuid], Field(max_length=1000, description="row ids this desktop holds")]


class VersionsResponse(BaseModel):
    versions: dict[str, dict[str, str]] = Field(description=(
        "row id -> the row's field stamps (field_versions), for the ids the server has; an id it lacks is absent"))


class Change(BaseModel):
    seq: int
    table: str
    row_id: str
    fields: dict[str, Any]
    versions: dict[str, str]


class PullResponse(BaseModel):
    epoch: str
    reset: bool
    changes: list[Change]
    next: Cursor
    more: bool
    high_water: int


class BlobStatus(BaseModel):
    sha256: str
    size: int | None
    received: int
    complete: bool


class ConflictSide(BaseModel):
    value: Any
    stamp: str
    device: str | None
    by: str | None = None  # the display name of the device's user


class ConflictOut(BaseModel):
    id: int
    table: str
    row_id: str
    field: str
    kept: ConflictSide
    losing: ConflictSide
    created_at: str
    settled: bool
    settled_at: str | None
    settled_by: str | None
    settled_value: Any = None


class ConflictList(BaseModel):
    conflicts: list[ConflictOut]


class SettleRequest(Body):
    choice: Literal["kept", "losing", "text"] = Field(
        description="keep the value the merge kept, take the losing one instead, or write `text`")
    text: Annotated[Text, Field(max_length=100_000)] | None = None


class VersionRange(BaseModel):
    min: int
    max: int


class VersionResponse(BaseModel):
    protocol: VersionRange
    schema_: str = Field(alias="schema")
    server_build: str

    model_config = ConfigDict(populate_by_name=True)


# -- moderation and the classified site ---------------------------------------------------------------------------

class ClaimAdsRequest(Body):
    count: Annotated[StrictInt, Field(ge=1, le=200, description="how many pending ads to claim")] = 20
    request_id: Uuid | None = Field(default=None, description=(
        "the desktop's id of this request: sent again after an answer was lost, it gets the same ads"))


class ClaimAdsResponse(BaseModel):
    ad_ids: list[str] = Field(description="the ads now claimed by the caller, oldest submitted first")
    expires_at: str = Field(description="when the claim ends (other moderators may take the ads after)")


class ItemProblem(BaseModel):
    field: str
    message: str


class AdResult(BaseModel):
    index: int = Field(description="the ad's place in the request (0 for a single ad)")
    external_id: str | None = None
    version: int | None = None
    status: Literal["created", "duplicate", "refused"]
    ad_id: str | None = Field(default=None, description="the server's (and every desktop's) row id of the ad")
    reason: str | None = Field(default=None, description="with refused: what to fix")
    problems: list[ItemProblem] | None = None
    superseded: list[int] | None = Field(default=None, description="older versions this one superseded")


class PostAdsResponse(BaseModel):
    results: list[AdResult]
    created: int
    duplicate: int
    refused: int


class ReportResult(BaseModel):
    index: int
    status: Literal["created", "duplicate", "refused"]
    row_id: str | None = None
    reason: str | None = None
    problems: list[ItemProblem] | None = None


class PostReportsResponse(BaseModel):
    results: list[ReportResult]
    created: int
    duplicate: int
    refused: int


class SiteFeedResponse(BaseModel):
    epoch: str = Field(description="the server's epoch: another epoch than before means it was restored")
    reset: bool = Field(description="the cursor is past every event (a restored server): read again from 0")
    events: list[dict[str, Any]] = Field(description=(
        "each with cursor, type (decision, decision_withdrawn, sanction, sanction_lifted, renewal_reminder), "
        "at and the event's fields (docs/SITE_API.md)"))
    next: int = Field(description="the cursor to send as after next time")
    more: bool = Field(description="more events wait: ask again now")
