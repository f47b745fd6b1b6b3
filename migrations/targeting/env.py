from kit.migrations import run_environment
from targeting.models import Base

run_environment(Base.metadata, "targeting")
