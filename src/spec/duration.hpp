// Durations in the experiment spec: "90s", "30m", "2h", "1d", "1h30m", "2m30.5s", or a plain
// number of seconds ("45", "0.5").
#pragma once

#include <string>
#include <string_view>

namespace tuneq::spec {

// Seconds in `text`: a plain non-negative number, or one or more <number><unit> parts with units
// d, h, m, s in that order, each at most once ("1h30m", not "30m1h"); numbers may have a
// fraction ("1.5h"). Surrounding spaces are ignored. Throws Error::InvalidArgument with the
// expected forms for anything else (empty text, a negative number, an unknown unit, a unit out of
// order, a result that is not finite).
double parse_duration(std::string_view text);

// The shortest spelling parse_duration reads back as the same value: "1h30m", "90.5s", "0s".
std::string format_duration(double seconds);

}  // namespace tuneq::spec
