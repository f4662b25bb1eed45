"""Keep the errors app's recording connection from being treated as a database of its own."""

RECORDING_ALIAS = "errors"


class ErrorsRecordingRouter:
    """Route nothing to the recording alias implicitly; never migrate it.

    The alias points at the same database as `default`: `errors.services` writes through
    it explicitly (`using=`), and only while the caller holds a transaction open on
    `default`. Rows read back are equally valid on either alias.
    """

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {obj1._state.db or "default", obj2._state.db or "default"}
        return True if aliases <= {"default", RECORDING_ALIAS} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == RECORDING_ALIAS else None
