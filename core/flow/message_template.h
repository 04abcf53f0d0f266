// Flow messages may quote any value a flow reads (value.h): "Your order
// {{order_id}} is {{steps.track.result.status}}." Names are checked when the flow is
// parsed; values are escaped so a customer's answer can never add Markdown
// (a link, an image) to the message it is quoted in.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace firstfix::flow {

// The names quoted in `text`, in order ("order_id", "result.status").
// Malformed placeholders ("{{", "{{}}", "{{a b}}") are reported by name
// as they were written, so the checker can point at them.
std::vector<std::string> template_names(const std::string& text);

// `text` with every {{name}} replaced by lookup(name), Markdown-escaped;
// a name lookup does not know becomes the empty string.
std::string fill_template(const std::string& text, const std::function<std::optional<std::string>(const std::string&)>& lookup);

}  // namespace firstfix::flow
