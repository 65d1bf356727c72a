"""What an audit event records: its action, purpose of use, outcome and severity."""

from django.db import models


class AuditAction(models.TextChoices):
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Account locked out"
    LOGOUT = "logout", "Logout"
    SESSION_TIMEOUT = "session_timeout", "Session timed out"
    MFA_VERIFIED = "mfa_verified", "Second factor verified"
    MFA_FAILED = "mfa_failed", "Second factor refused"
    MFA_ENROLLED = "mfa_enrolled", "Second factor enrolled"
    MFA_RESET = "mfa_reset", "Second factor reset"
    CHART_VIEW = "chart_view", "Chart opened"
    RECORD_VIEW = "record_view", "Record page opened"
    SEARCH = "search", "Client search"
    CREATE = "create", "Record created"
    CHANGE = "change", "Record changed"
    BREAK_GLASS = "break_glass", "Emergency access (break the glass)"
    BREAK_GLASS_DENIED = "break_glass_denied", "Emergency access refused"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Emergency access reviewed"
    EXPORT = "export", "Export or print"
    AUDIT_REPORT_VIEW = "audit_report_view", "Audit report opened"
    STAFF_CHANGE = "staff_change", "Staff account or privilege changed"
    CONFIG_CHANGE = "config_change", "Configuration changed"


class AuditPurpose(models.TextChoices):
    """HL7 v3 PurposeOfUse codes."""

    TREATMENT = "TREAT", "Treatment"
    EMERGENCY = "BTG", "Break the glass"
    OPERATIONS = "HOPERAT", "Health care operations"
    SYSTEM = "HSYSADMIN", "System administration"
    OVERSIGHT = "HCOMPL", "Compliance and privacy oversight"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"


class AuditSeverity(models.TextChoices):
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
