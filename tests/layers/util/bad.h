// A util/ header that uses log/, a floor above it: scripts/check-layers must
// name this line.
#pragma once
#include "log/log.h"
#include "util/good.h"
