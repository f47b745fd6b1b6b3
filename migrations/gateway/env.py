from gateway.models import Base
from kit.migrations import run_environment

run_environment(Base.metadata, "gateway")
