from kit.migrations import run_environment
from programs.models import Base

run_environment(Base.metadata, "programs")
