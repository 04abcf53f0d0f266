// The flow view's UI strings per locale (the panel's shared ones are in
// strings.js); missing keys fall back to English.
export const FLOW_STRINGS = {
  en: {
    stopFlow: 'Stop', progress: (n, of) => `Step ${n} of ${of}`, continue: 'Continue', previous: 'Previous step',
    accept: 'Yes, please', decline: 'No, thanks', optional: '(optional)', retry: 'Try again',
    solved: 'Did this solve your problem?', sorry: "Sorry it didn't. A person from our team can take it from here.",
    escalateLead: 'A person from our team can take it from here. They will see what you have done so far.',
    unresolvedLead: "This couldn't be done here. A person from our team can help, and will see what you have done so far.",
    photoUploading: 'Uploading the photo…', photoAttached: 'Photo attached:',
  },
  es: {
    stopFlow: 'Salir', progress: (n, of) => `Paso ${n} de ${of}`, continue: 'Continuar', previous: 'Paso anterior',
    accept: 'Sí, por favor', decline: 'No, gracias', optional: '(opcional)', retry: 'Reintentar',
    solved: '¿Ha resuelto tu problema?', sorry: 'Lo sentimos. Una persona de nuestro equipo puede continuar desde aquí.',
    escalateLead: 'Una persona de nuestro equipo puede continuar desde aquí y verá lo que ya has hecho.',
    unresolvedLead: 'No se ha podido hacer aquí. Una persona de nuestro equipo puede ayudarte y verá lo que ya has hecho.',
    photoUploading: 'Subiendo la foto…', photoAttached: 'Foto adjunta:',
  },
};
