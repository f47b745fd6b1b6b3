from kit.problems import NotFoundError, UnprocessableError, UnsupportedMediaTypeError


class ImportNotFoundError(NotFoundError):
    slug, title = "import-not-found", "Import not found"


class ImportUploadError(UnprocessableError):
    """The multipart body does not hold what an import needs (a households and/or members file)."""

    slug, title = "import-upload-invalid", "Import upload invalid"


class ImportMediaTypeError(UnsupportedMediaTypeError):
    slug, title = "import-media-type", "Import must be multipart/form-data"
