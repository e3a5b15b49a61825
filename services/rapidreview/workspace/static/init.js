// Marks the page as having JavaScript before it is drawn (GOV.UK Frontend's styles rely on these
// classes). A file, not an inline script: the Content-Security-Policy allows scripts from the workspace only.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
