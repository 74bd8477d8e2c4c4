// Includes of its own folder are allowed.
#pragma once
