// log/ may use util/, the floor below.
#pragma once
#include "util/good.h"
