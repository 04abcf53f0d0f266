#include <boost/url/src.hpp>  // Boost.URL is compiled into the server from this one file
