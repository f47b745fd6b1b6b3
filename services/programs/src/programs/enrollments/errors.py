from kit.problems import UnprocessableError


class EnrollmentUnitMismatchError(UnprocessableError):
    slug, title = "enrollment-unit-mismatch", "Wrong kind of reference for the programme's unit"
