/* The drill-down pages' AG Grid cell renderer: a real <a href> that navigates inside the app like dcc.Link
   (pushState + Dash's pushstate event), so the back button works; modified clicks open a new tab as usual. */
(function () {
  "use strict";
  var funcs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  funcs.DrillLink = function (props) {
    var field = (props.colDef.cellRendererParams || {}).hrefField;
    var href = props.data && field ? props.data[field] : null;
    if (!href) { return props.value === undefined || props.value === null ? "" : String(props.value); }
    return window.React.createElement("a", {
      href: href, className: "drill-link",
      onClick: function (e) {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) { return; }
        e.preventDefault();
        window.history.pushState({}, "", href);
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
      }
    }, props.value);
  };
})();
