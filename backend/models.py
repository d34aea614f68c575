"""Imports every model so that Base.metadata is complete (Alembic, tests)."""

from backend.accounts.models import ApiToken, Invitation, RecoveryCode, User, WebSession  # noqa: F401
from backend.audit.models import AuditEvent  # noqa: F401
from backend.consultations.models import Action, Consultation  # noqa: F401
from backend.db import Base  # noqa: F401
from backend.issues.models import IssueMembership, RegionalIssue  # noqa: F401
from backend.jobs.models import Job  # noqa: F401
from backend.mail.models import OutboxMessage  # noqa: F401
from backend.meetings.models import AgendaItem, HubMeeting  # noqa: F401
from backend.regions.models import Area, AreaMunicipality, Hub, Municipality, Prefecture  # noqa: F401
from backend.reports.models import DeskReportFile, PrefectureReport  # noqa: F401
from backend.resources.models import (ResourceAttribute, ResourceCapacity, ResourceContact,  # noqa: F401
                                      ResourceCorrection, ResourceIdentifier, ResourceImport, ResourceLocation,
                                      ResourceOrganization, ResourcePhone, ResourceReferral, ResourceSchedule,
                                      ResourceService, ResourceServiceArea, ResourceServiceAtLocation,
                                      ResourceUnmatched, ResourceVerification)
from backend.taxonomies.models import TaxonomyVersion  # noqa: F401
from backend.text.models import TextModel  # noqa: F401
