"""The domain model, one module per aggregate."""

from scorecard.models.api_token import ApiToken
from scorecard.models.audit import AuditEvent, LoginFailure
from scorecard.models.base import (
    ApplicationStatus,
    Dimension,
    HireDecisionKind,
    InterviewStatus,
    JobRole,
    JobStatus,
    Role,
    RoundDecisionKind,
    ScorecardStatus,
    utcnow,
)
from scorecard.models.candidate import Application, Candidate
from scorecard.models.decision import HireDecision, RoundDecision
from scorecard.models.identity import ExternalIdentity, GroupRoleMapping, IdentitySource
from scorecard.models.interview import (
    Interview,
    Rating,
    Scorecard,
    ScorecardSubmission,
    StarEvidence,
    scorecard_red_flags,
)
from scorecard.models.job import (
    Criterion,
    Job,
    JobMember,
    Question,
    RedFlag,
    Round,
    ScorecardVersion,
)
from scorecard.models.notice import (
    CalendarFeed,
    CalendarInvite,
    Notice,
    NoticeKind,
    NoticeStatus,
    NoticeSwitch,
)
from scorecard.models.operations import JobRun, JobRunStatus
from scorecard.models.outcome import (
    AnalyticsSetting,
    CheckpointKind,
    ComplianceGrant,
    Outcome,
    OutcomeCheckpoint,
    ProbationResult,
    SelfIdentification,
)
from scorecard.models.reminder import CandidateImport, Reminder
from scorecard.models.result import ApplicationResult
from scorecard.models.security import (
    PasswordResetRequest,
    PasswordResetToken,
    RecoveryCode,
    SiteSetting,
)
from scorecard.models.user import User
from scorecard.models.webhook import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "AnalyticsSetting",
    "ApiToken",
    "Application",
    "ApplicationResult",
    "ApplicationStatus",
    "AuditEvent",
    "CalendarFeed",
    "CalendarInvite",
    "Candidate",
    "CandidateImport",
    "CheckpointKind",
    "ComplianceGrant",
    "Criterion",
    "DeliveryStatus",
    "Dimension",
    "ExternalIdentity",
    "GroupRoleMapping",
    "HireDecision",
    "HireDecisionKind",
    "IdentitySource",
    "Interview",
    "InterviewStatus",
    "Job",
    "LoginFailure",
    "Outcome",
    "OutcomeCheckpoint",
    "JobMember",
    "JobRole",
    "JobRun",
    "JobRunStatus",
    "JobStatus",
    "Notice",
    "NoticeKind",
    "NoticeStatus",
    "NoticeSwitch",
    "PasswordResetRequest",
    "PasswordResetToken",
    "ProbationResult",
    "Question",
    "Rating",
    "RecoveryCode",
    "RedFlag",
    "Reminder",
    "Role",
    "Round",
    "RoundDecision",
    "RoundDecisionKind",
    "Scorecard",
    "ScorecardStatus",
    "ScorecardSubmission",
    "ScorecardVersion",
    "SelfIdentification",
    "SiteSetting",
    "StarEvidence",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "scorecard_red_flags",
    "utcnow",
]
