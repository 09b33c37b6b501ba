"""Every error leaves the API as RFC 9457 application/problem+json."""

import logging

from flask import Flask
from flask import Response
from flask import current_app
from flask import json
from flask import request
from werkzeug import exceptions

from broker import problems

log = logging.getLogger(__name__)

# Werkzeug's own errors (routing, body size, methods) mapped onto our problem types.
HTTP_PROBLEMS: dict[int, type[problems.Problem]] = {
    400: problems.BadRequest,
    404: problems.NotFound,
    405: problems.MethodNotAllowed,
    413: problems.PayloadTooLarge,
    415: problems.UnsupportedMediaType,
}


def problem_response(problem: problems.Problem) -> Response:
    """The problem+json response for a problem."""
    response = Response(
        json.dumps(problem.to_dict(instance=request.path)),
        status=problem.status,
        mimetype="application/problem+json",
    )
    if problem.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eevidence-broker"'
    if isinstance(problem, problems.RateLimited):
        response.headers["Retry-After"] = str(problem.extensions["retry_after"])
    return response


def http_problem(error: exceptions.HTTPException) -> Response:
    """Werkzeug's own error (routing, body size, methods) as the problem document of its status."""
    code = error.code or 500
    detail = error.description or error.name
    if code == 413:
        detail = f"the body is larger than the {current_app.config['MAX_CONTENT_LENGTH']} bytes accepted"
    kind = HTTP_PROBLEMS.get(code)
    response = problem_response(kind(detail) if kind else problems.HttpError(detail, status=code))
    if isinstance(error, exceptions.MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def init_app(app: Flask) -> None:
    """Register the handlers that turn every exception into a problem document."""

    @app.errorhandler(problems.Problem)
    def _problem(problem: problems.Problem) -> Response:
        return problem_response(problem)

    app.register_error_handler(exceptions.HTTPException, http_problem)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The traceback goes to the log; the client learns only that it was our fault.
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(problems.Problem("an internal error occurred; it has been logged"))
