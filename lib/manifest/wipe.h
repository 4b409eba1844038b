// Overwriting plaintext secrets before their memory is given back: decrypted SOPS values, generated
// Secret data, Secret bodies sent to the API server. std::string and Json strings only; memory an
// allocator gave back earlier (while a string grew) is out of reach, so writers of secrets reserve
// first.
#pragma once

#include <string>

#include "lib/manifest/object.h"

namespace fluxcpp::manifest {

// Overwrites `text` with zeros (its whole capacity) and empties it.
void WipeString(std::string& text);

// Overwrites every string in `value`, keys excepted, with zeros, then makes it null.
void WipeJson(Json& value);

}  // namespace fluxcpp::manifest
