"""Django settings for Alliance, driven only by ``ALLIANCE_*`` environment variables.

Two modes: ``ALLIANCE_ENV=development`` (the default: demo, tests, a clinician's laptop) and
``ALLIANCE_ENV=production``, which refuses to start with a default secret or audit key and turns
on secure cookies, HSTS and the HTTPS redirect.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from alliance.config.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent

ENVIRONMENT = env_str("ALLIANCE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ConfigError("ALLIANCE_ENV must be 'development' or 'production'")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("ALLIANCE_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ConfigError("ALLIANCE_DEBUG cannot be on when ALLIANCE_ENV=production")

VAR_DIR = env_path("ALLIANCE_VAR_DIR", Path.cwd() / "var")

# Development defaults: they are public, so production refuses them.
DEVELOPMENT_SECRET_KEY = "alliance-development-secret-key-not-for-production-use-0001"  # noqa: S105
DEVELOPMENT_AUDIT_KEY = "alliance-development-audit-key-not-for-production-use-0001"
DEVELOPMENT_BACKUP_KEY = "alliance-development-backup-key-not-for-production-use-0001"
# Django's own deployment check (security.W009) wants at least 50 characters, 5 of them distinct.
MINIMUM_KEY_LENGTH = 50
MINIMUM_KEY_DISTINCT_CHARACTERS = 5

SECRET_KEY = env_str("ALLIANCE_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
AUDIT_KEY = env_str("ALLIANCE_AUDIT_KEY", DEVELOPMENT_AUDIT_KEY)
# Encrypts `alliance backup` archives (REL-07; alliance.backups.crypto). Kept off the box
# that holds the backups, as the audit key is kept out of the database.
BACKUP_KEY = env_str("ALLIANCE_BACKUP_KEY", DEVELOPMENT_BACKUP_KEY)
if PRODUCTION:
    for _name, _value, _default in (
        ("ALLIANCE_SECRET_KEY", SECRET_KEY, DEVELOPMENT_SECRET_KEY),
        ("ALLIANCE_AUDIT_KEY", AUDIT_KEY, DEVELOPMENT_AUDIT_KEY),
    ):
        if (
            _value == _default
            or len(_value) < MINIMUM_KEY_LENGTH
            or len(set(_value)) < MINIMUM_KEY_DISTINCT_CHARACTERS
        ):
            raise ConfigError(
                f"{_name} must be set to a random value of at least {MINIMUM_KEY_LENGTH} "
                "characters in production"
            )
    if SECRET_KEY == AUDIT_KEY:
        raise ConfigError("ALLIANCE_AUDIT_KEY must differ from ALLIANCE_SECRET_KEY")
    # Checked after the two above, so their messages come first.
    if (
        BACKUP_KEY == DEVELOPMENT_BACKUP_KEY
        or len(BACKUP_KEY) < MINIMUM_KEY_LENGTH
        or len(set(BACKUP_KEY)) < MINIMUM_KEY_DISTINCT_CHARACTERS
    ):
        raise ConfigError(
            f"ALLIANCE_BACKUP_KEY must be set to a random value of at least {MINIMUM_KEY_LENGTH} "
            "characters in production"
        )
    if BACKUP_KEY in (SECRET_KEY, AUDIT_KEY):
        # One stolen key must not open the backups as well as forge sessions or audit rows.
        raise ConfigError("ALLIANCE_BACKUP_KEY must differ from the secret and audit keys")

ALLOWED_HOSTS = env_list("ALLIANCE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("ALLIANCE_CSRF_TRUSTED_ORIGINS", "")

CLINIC_NAME = env_str("ALLIANCE_CLINIC_NAME", "Alliance Clinic")
REQUIRE_MFA = env_bool("ALLIANCE_REQUIRE_MFA", True)
DEMO_MODE = env_bool("ALLIANCE_DEMO", False)

INSTALLED_APPS = [
    "alliance.config.admin_site.AllianceAdminConfig",  # django.contrib.admin, by capability
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "axes",
    "csp",
    "alliance.core",
    "alliance.organisation",
    "alliance.staff",
    "alliance.clients",
    "alliance.access",
    "alliance.audit",
    "alliance.idempotency",
    "alliance.assessments",
    "alliance.diagnoses",
    "alliance.records",
    "alliance.notes",
    "alliance.plans",
    "alliance.safety",
    "alliance.crisis",
    "alliance.disclosures",
    "alliance.operations",
    "django_tasks",
    "django_tasks_db",
    "alliance.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "alliance.audit.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "alliance.web.middleware.SessionTimeoutMiddleware",
    "alliance.web.middleware.NoStoreMiddleware",
    "alliance.web.middleware.CapabilityGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "alliance.web.middleware.SessionEndedMiddleware",
    "alliance.web.middleware.FormTokenMiddleware",  # forms stored once (REL-05)
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "alliance.config.urls"
WSGI_APPLICATION = "alliance.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "alliance.web.context.alliance_context",
                "alliance.web.context.background_work",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'alliance.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("ALLIANCE_DATABASE_URL", DEFAULT_DATABASE_URL), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers never read the same
    # audit-chain head; WAL lets readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    # JIT compiling costs more than these short, indexed queries ever run (bench/README.md).
    _pg_options["options"] = "-c jit=off"
    if env_bool("ALLIANCE_DATABASE_PREPARE", True):
        # Parameters bound on the server, and a statement the connection has run five times
        # is prepared (psycopg's automatic preparation): PostgreSQL then plans it once rather
        # than on every run. Planning was about half the SQL time of a chart (bench/README.md).
        # Turn it off behind a pooler that cannot keep prepared statements (PgBouncer before
        # 1.21 in transaction mode).
        _pg_options["server_side_binding"] = True
        _pg_options["prepare_threshold"] = 5
DATABASES["default"]["TEST"] = {"NAME": env_str("ALLIANCE_TEST_DATABASE_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "staff.User"

# Argon2id first; PBKDF2 stays so that a FIPS deployment can switch the order and old hashes
# still verify while they are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend; the signed-in user loaded by one plain SQL statement
    "alliance.staff.auth_backend.StaffBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

# Sessions (SEC-05, SEC-06)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SECURE_COOKIES = env_bool("ALLIANCE_SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "alliance.web.errors.csrf_failure"
SESSION_COOKIE_NAME = "alliance_session"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
IDLE_TIMEOUT = timedelta(minutes=env_int("ALLIANCE_IDLE_TIMEOUT_MINUTES", 15, minimum=1))
ABSOLUTE_TIMEOUT = timedelta(hours=env_int("ALLIANCE_ABSOLUTE_TIMEOUT_HOURS", 12, minimum=1))
SESSION_COOKIE_AGE = int(ABSOLUTE_TIMEOUT.total_seconds())

# Lockout after repeated failures (SEC-04), through django-axes.
AXES_FAILURE_LIMIT = env_int("ALLIANCE_LOCKOUT_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ALLIANCE_LOCKOUT_MINUTES", 15, minimum=1))
# Two counters, each locking at the limit: failures for an account (from any address), and
# failures from an address (across any accounts), so one address cannot try four passwords on
# each of many accounts. A wrong step-up password counts as a failed sign-in (SEC-08).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A successful sign-in does not wipe the failures: with the address counter it would also wipe
# the failures from that address against other accounts (one own account would reset the
# guessing). Failures expire after the cool-off instead.
AXES_RESET_ON_SUCCESS = False
# The lock lasts the cool-off from the failure that set it, as the sign-in page says; without
# this, every attempt made while locked (even with the right password) restarted the clock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "alliance.web.auth.views.lockout_response"

# django-otp
OTP_TOTP_ISSUER = CLINIC_NAME
# With REQUIRE_MFA, a first authenticator is enrolled only through a single-use link a staff
# administrator issues (the password alone never enrols one); it expires after this long.
MFA_ENROLMENT_LINK_HOURS = env_int("ALLIANCE_MFA_ENROLMENT_LINK_HOURS", 72, minimum=1)

SILENCED_SYSTEM_CHECKS = [
    # security.W021: HSTS preloading commits every subdomain of the clinic's domain to HTTPS
    # for good; that is the domain owner's decision, not the application's.
    "security.W021",
]

# Background tasks run by ``alliance worker`` from the database: no extra server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# The background worker (alliance.operations): ``alliance worker`` wakes every
# WORKER_INTERVAL_SECONDS, beats its heartbeat and runs the measurement cycle (measures fall
# due, alerts escalate) every WORKER_CYCLE_SECONDS under a lease of WORKER_LEASE_SECONDS; a
# worker that dies holding it is replaced once the lease runs out. A database outage is
# retried with backoff up to WORKER_MAX_BACKOFF_SECONDS. /healthz answers 503, and staff see a
# banner, once the newest heartbeat is older than WORKER_STALE_SECONDS (a cycle) or the last
# completed cycle older than CYCLE_STALE_SECONDS (three cycles).
WORKER_CYCLE_SECONDS = env_int("ALLIANCE_WORKER_CYCLE_SECONDS", 300, minimum=10)
WORKER_INTERVAL_SECONDS = env_int("ALLIANCE_WORKER_INTERVAL_SECONDS", 5, minimum=1)
WORKER_LEASE_SECONDS = env_int("ALLIANCE_WORKER_LEASE_SECONDS", 120, minimum=10)
WORKER_MAX_BACKOFF_SECONDS = env_int("ALLIANCE_WORKER_MAX_BACKOFF_SECONDS", 60, minimum=1)
WORKER_STALE_SECONDS = env_int("ALLIANCE_WORKER_STALE_SECONDS", WORKER_CYCLE_SECONDS, minimum=10)
CYCLE_STALE_SECONDS = env_int("ALLIANCE_CYCLE_STALE_SECONDS", 3 * WORKER_CYCLE_SECONDS, minimum=10)

# Email: scheduled questionnaire links go to clients who agreed. Development writes messages
# to files under var/outbox (never to the log: they carry a link's token).
BASE_URL = env_str("ALLIANCE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_BACKEND = env_str(
    "ALLIANCE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
EMAIL_HOST = env_str("ALLIANCE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ALLIANCE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("ALLIANCE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("ALLIANCE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("ALLIANCE_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env_str("ALLIANCE_EMAIL_FROM", "alliance@localhost")

# Measurement-based care
MEASURE_LINK_DAYS = env_int("ALLIANCE_MEASURE_LINK_DAYS", 7, minimum=1)
NOT_IMPROVING_WEEKS = env_int("ALLIANCE_NOT_IMPROVING_WEEKS", 8, minimum=1)
ALERT_ESCALATE_AFTER = timedelta(hours=env_int("ALLIANCE_ALERT_ESCALATE_HOURS", 4, minimum=1))
# Shown at once to a client whose answer signals risk; the clinic's own line comes from the
# organisation's after-hours phone, or this setting.
CRISIS_LINE = env_str("ALLIANCE_CRISIS_LINE", "988 Suicide & Crisis Lifeline: call or text 988")
EMERGENCY_NUMBER = env_str("ALLIANCE_EMERGENCY_NUMBER", "911")
CLINIC_CRISIS_PHONE = env_str("ALLIANCE_CLINIC_CRISIS_PHONE", "")

# Safety plans: the professionals section always lists CRISIS_LINE, EMERGENCY_NUMBER and this
# after-hours line (else the organisation's after-hours phone); client links expire after
# SAFETY_PLAN_LINK_DAYS days.
AFTER_HOURS_LINE = env_str("ALLIANCE_AFTER_HOURS_LINE", CLINIC_CRISIS_PHONE)
SAFETY_PLAN_LINK_DAYS = env_int("ALLIANCE_SAFETY_PLAN_LINK_DAYS", 30, minimum=1)

BREAK_GLASS_DURATION = timedelta(minutes=env_int("ALLIANCE_BREAK_GLASS_MINUTES", 60, minimum=1))
AUDIT_CHECKPOINT_DIR = env_path("ALLIANCE_AUDIT_CHECKPOINT_DIR", VAR_DIR / "audit-checkpoints")
AUDIT_CHECKPOINT_EVERY = env_int("ALLIANCE_AUDIT_CHECKPOINT_EVERY", 500, minimum=1)

# Security headers (SEC-32 to SEC-35)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("ALLIANCE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("ALLIANCE_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served from the installed package by WhiteNoise (finders), so no
# collectstatic step is needed; set ALLIANCE_STATIC_ROOT to collect them elsewhere.
STATIC_ROOT = env_str("ALLIANCE_STATIC_ROOT", "") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Logs carry no PHI (SEC-28): only request method, path pattern and status reach them, through
# the formatter that escapes control characters so a crafted value stays on one line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "alliance.core.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ALLIANCE_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # At DEBUG Django's template engine logs a failed variable lookup with the whole
        # template context, which holds client data (SEC-28): never below INFO.
        "django.template": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Treatment plans (alliance.plans): an active plan is due for review this many days after its
# activation; the review shows on the clinician's caseload two weeks before.
PLAN_REVIEW_DAYS = env_int("ALLIANCE_PLAN_REVIEW_DAYS", 90, minimum=1)
