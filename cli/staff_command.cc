// `firstfix staff add|remove|list|passwd`: the accounts that log in to the
// agent console and the reports. A password never travels in argv (other
// users of the machine can read it there): it is read from the terminal
// without echo, twice, or from stdin when that is not a terminal.
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "native_server/staff/staff_service.h"
#include "native_server/storage/store.h"

namespace firstfix::cli {
namespace {

std::string read_line_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string read_password() {
  if (!isatty(STDIN_FILENO)) return read_line_hidden("");
  const std::string first = read_line_hidden("Password: ");
  if (read_line_hidden("Again: ") != first) throw std::invalid_argument("the two passwords differ");
  return first;
}

}  // namespace

int staff_command(const StaffOptions& o) {
  if (o.action != "list" && o.email.empty()) {
    std::cerr << "firstfix staff " << o.action << ": --email is required\n";
    return 2;
  }
  std::unique_ptr<server::Store> store;
  try {
    store = server::open_store(o.database, o.data_dir, 1);
  } catch (const std::exception& e) {
    std::cerr << "firstfix staff " << o.action << ": " << e.what() << "\n";
    return 1;
  }
  server::StaffService staff(*store);
  try {
    if (o.action == "list") {
      for (const auto& a : staff.list()) std::cout << a.email << "\t" << a.role << "\t" << a.name << "\n";
      return 0;
    }
    if (o.action == "remove") {
      if (!staff.remove(o.email)) {
        std::cerr << "firstfix staff remove: no account '" << o.email << "'\n";
        return 1;
      }
      std::cout << "removed " << o.email << " (and ended their sessions)\n";
      return 0;
    }
    const std::string password = read_password();
    if (o.action == "add") {
      const auto a = staff.put(o.email, o.name, o.role, password);
      std::cout << "added " << a.email << " as " << a.role << "\n";
      return 0;
    }
    if (!staff.set_password(o.email, password)) {
      std::cerr << "firstfix staff passwd: no account '" << o.email << "'\n";
      return 1;
    }
    std::cout << "changed the password of " << o.email << " (and ended their sessions)\n";
    return 0;
  } catch (const std::invalid_argument& e) {
    std::cerr << "firstfix staff " << o.action << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace firstfix::cli
