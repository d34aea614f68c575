import strawberry

from backend.api.scalars import DateTime
from backend.jobs import models


@strawberry.type
class Job:
    id: strawberry.ID
    kind: str
    status: str = strawberry.field(description="queued, running, succeeded or failed")
    attempts: int
    enqueued_at: DateTime
    started_at: DateTime | None
    finished_at: DateTime | None
    error: str | None

    @classmethod
    def of(cls, row: models.Job) -> "Job":
        return cls(id=strawberry.ID(str(row.id)), kind=row.kind, status=row.status, attempts=row.attempts,
                   enqueued_at=row.enqueued_at, started_at=row.started_at, finished_at=row.finished_at, error=row.error)
