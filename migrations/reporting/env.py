from kit.migrations import run_environment
from reporting.models import Base

run_environment(Base.metadata, "reporting")
