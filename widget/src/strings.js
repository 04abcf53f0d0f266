// UI strings per locale. Missing keys fall back to English.
export const STRINGS = {
  en: {
    title: 'How can we help?', search: 'Search for answers', close: 'Close help', back: 'Back to results',
    results: (n) => (n === 1 ? '1 result' : `${n} results`), noResults: (q) => `Nothing found for “${q}”.`,
    didYouMean: 'Showing results for', suggested: 'Suggested for this page', popular: 'Popular articles',
    helpful: 'Was this helpful?', yes: 'Yes', no: 'No', thanks: 'Thanks for your feedback!',
    commentLabel: 'What were you looking for? (optional)', send: 'Send', contact: 'Contact us',
    contactLead: 'Still need help? A person from our team will answer.', loading: 'Loading…',
    error: 'Something went wrong. Please try again.', searching: 'Searching…',
  },
  es: {
    title: '¿Cómo podemos ayudarte?', search: 'Busca respuestas', close: 'Cerrar ayuda', back: 'Volver a los resultados',
    results: (n) => (n === 1 ? '1 resultado' : `${n} resultados`), noResults: (q) => `No encontramos nada para «${q}».`,
    didYouMean: 'Mostrando resultados para', suggested: 'Sugerencias para esta página', popular: 'Artículos populares',
    helpful: '¿Te ha resultado útil?', yes: 'Sí', no: 'No', thanks: '¡Gracias por tu opinión!',
    commentLabel: '¿Qué estabas buscando? (opcional)', send: 'Enviar', contact: 'Contáctanos',
    contactLead: '¿Sigues necesitando ayuda? Una persona de nuestro equipo te responderá.', loading: 'Cargando…',
    error: 'Algo salió mal. Inténtalo de nuevo.', searching: 'Buscando…',
  },
  de: { title: 'Wie können wir helfen?', search: 'Antworten suchen', close: 'Hilfe schließen', back: 'Zurück zu den Ergebnissen',
    results: (n) => `${n} Ergebnisse`, helpful: 'War das hilfreich?', yes: 'Ja', no: 'Nein', contact: 'Kontakt' },
  fr: { title: 'Comment pouvons-nous vous aider ?', search: 'Rechercher des réponses', close: "Fermer l'aide", back: 'Retour aux résultats',
    results: (n) => `${n} résultats`, helpful: 'Cet article vous a-t-il aidé ?', yes: 'Oui', no: 'Non', contact: 'Nous contacter' },
  ar: { title: 'كيف يمكننا مساعدتك؟', search: 'ابحث عن إجابات', close: 'إغلاق المساعدة', back: 'العودة إلى النتائج',
    results: (n) => `${n} نتائج`, helpful: 'هل كان هذا مفيدًا؟', yes: 'نعم', no: 'لا', contact: 'اتصل بنا' },
  he: { title: 'איך נוכל לעזור?', search: 'חיפוש תשובות', close: 'סגירת העזרה', back: 'חזרה לתוצאות',
    results: (n) => `${n} תוצאות`, helpful: 'האם זה עזר?', yes: 'כן', no: 'לא', contact: 'צרו קשר' },
};
export const RTL = new Set(['ar', 'he', 'fa', 'ur']);
export const strings = (locale) => ({ ...STRINGS.en, ...(STRINGS[locale] || {}) });
