"""Wiring of the enrolment service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from kit.database import SessionDep
from programs.enrollments.repository import EnrollmentRepository
from programs.enrollments.service import EnrollmentService
from programs.feed.repository import FeedRepository
from programs.programmes.dependencies import ProgramServiceDep


async def enrollment_service(session: SessionDep, programs: ProgramServiceDep) -> EnrollmentService:
    return EnrollmentService(EnrollmentRepository(session, FeedRepository(session)), programs)


EnrollmentServiceDep = Annotated[EnrollmentService, Depends(enrollment_service)]
