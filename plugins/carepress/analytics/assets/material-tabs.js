/* CarePress: Material's inline partials/javascripts/content.html as a file (strict CSP): a link to a
   content tab's anchor opens that tab. */
(function () {
  "use strict";
  var target = document.getElementById(location.hash.slice(1));
  if (target && target.name) target.checked = target.name.startsWith("__tabbed_");
})();
